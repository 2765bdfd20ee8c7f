package dev.synack.wire;

import java.util.Objects;

/**
 * The result of decoding bytes into a value: either {@link Ok} with the value or {@link Malformed} with the
 * reason the bytes were rejected. Decoders return this instead of throwing.
 *
 * @param <T> the decoded value's type
 */
public sealed interface Decoded<T> permits Decoded.Ok, Decoded.Malformed {

    /** A successful decode. @param value the decoded value, never null */
    record Ok<T>(T value) implements Decoded<T> {
        /** Rejects a null value. */
        public Ok { Objects.requireNonNull(value, "value"); }
    }

    /** A failed decode. @param reason why the bytes were rejected, never null */
    record Malformed<T>(DropReason reason) implements Decoded<T> {
        /** Rejects a null reason. */
        public Malformed { Objects.requireNonNull(reason, "reason"); }
    }

    /** An {@link Ok} holding {@code value}. */
    static <T> Decoded<T> ok(T value) { return new Ok<>(value); }

    /** A {@link Malformed} holding {@code reason}. */
    static <T> Decoded<T> malformed(DropReason reason) { return new Malformed<>(reason); }

    /** Whether this is an {@link Ok}. */
    default boolean isOk() { return this instanceof Ok; }

    /** The value, or {@code null} when malformed. */
    default T orNull() {
        return switch (this) {
            case Ok<T> ok -> ok.value();
            case Malformed<T> m -> null;
        };
    }

    /** The drop reason, or {@code null} when decoding succeeded. */
    default DropReason reasonOrNull() {
        return switch (this) {
            case Ok<T> ok -> null;
            case Malformed<T> m -> m.reason();
        };
    }

    /** The value; for tests and trusted input. @throws IllegalStateException when malformed */
    default T orElseThrow() {
        return switch (this) {
            case Ok<T> ok -> ok.value();
            case Malformed<T> m -> throw new IllegalStateException("malformed: " + m.reason());
        };
    }
}
