package dev.synack.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class JsonTest {
    @Test
    void escapesQuotesBackslashesAndControlCharacters() {
        assertEquals("\"a\\\"b\\\\c\\n\\u0001\"", Json.string("a\"b\\c\n\u0001"));
        assertEquals("\"\\r\\t\\u001f \"", Json.string("\r\t\u001f "));
    }

    @Test
    void keepsEverythingElseAsIs() {
        assertEquals("\"\"", Json.string(""));
        assertEquals("\"SYN_SENT → CLOSE / 0.5 s\"", Json.string("SYN_SENT → CLOSE / 0.5 s"));
        assertEquals("\"\u007f\"", Json.string("\u007f"), "DEL is not a control character for RFC 8259");
    }
}
