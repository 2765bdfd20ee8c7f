package dev.synack.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class ErrnoTest {
    @Test
    void everyErrnoIsFoundByItsNumber() {
        for (Errno e : Errno.values()) assertEquals(Optional.of(e), Errno.ofNumber(e.number()));
    }

    @Test
    void numbersNotListedAreEmpty() {
        assertEquals(Optional.of(Errno.ECONNREFUSED), Errno.ofNumber(111));
        assertTrue(Errno.ofNumber(0).isEmpty());
        assertTrue(Errno.ofNumber(-111).isEmpty(), "the number is positive: a syscall result -111 is ofNumber(111)");
        assertEquals(Optional.of(Errno.ENOENT), Errno.ofNumber(2), "epoll_ctl's EPOLL_CTL_MOD/DEL of an fd not added");
        assertTrue(Errno.ofNumber(3).isEmpty(), "ESRCH is not one a socket user sees here");
    }
}
