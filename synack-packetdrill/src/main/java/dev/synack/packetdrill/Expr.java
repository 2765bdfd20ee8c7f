package dev.synack.packetdrill;

import java.util.List;

/** A system call argument or result, after packetdrill's expression grammar. */
public sealed interface Expr {
    /** {@code ...}: anything. */
    record Ellipsis() implements Expr {
        @Override public String toString() { return "..."; }
    }

    /** A number (decimal or hex). */
    record Int(long value) implements Expr {
        @Override public String toString() { return Long.toString(value); }
    }

    /** A symbol: {@code SOCK_STREAM}, {@code O_NONBLOCK}. */
    record Word(String name) implements Expr {
        @Override public String toString() { return name; }
    }

    /** {@code "text"}, or {@code "text"...} (a prefix). */
    record Str(String text, boolean prefix) implements Expr {
        @Override public String toString() { return "\"" + text + "\"" + (prefix ? "..." : ""); }
    }

    /** {@code a|b}. */
    record Or(Expr left, Expr right) implements Expr {
        @Override public String toString() { return left + "|" + right; }
    }

    /** {@code name=value} (inside structs). */
    record Assign(String name, Expr value) implements Expr {
        @Override public String toString() { return name + "=" + value; }
    }

    /** {@code [a, b]}: a pointer to values. */
    record Array(List<Expr> items) implements Expr {
        public Array {
            items = List.copyOf(items);
        }

        @Override public String toString() {
            return "[" + String.join(", ", items.stream().map(Object::toString).toList()) + "]";
        }
    }

    /** {@code f(args)}: {@code htons(8080)}, {@code inet_addr("...")}. */
    record Call(String function, List<Expr> args) implements Expr {
        public Call {
            args = List.copyOf(args);
        }

        @Override public String toString() {
            return function + "(" + String.join(", ", args.stream().map(Object::toString).toList()) + ")";
        }
    }

    /** {@code {a=1, b=2}}: a struct (linger, pollfd, iovec, msghdr ...). */
    record Struct(List<Expr> items) implements Expr {
        public Struct {
            items = List.copyOf(items);
        }

        /** The value of field {@code name}, or null. */
        public Expr field(String name) {
            for (Expr e : items) if (e instanceof Assign(String n, Expr v) && n.equals(name)) return v;
            return null;
        }

        @Override public String toString() {
            return "{" + String.join(", ", items.stream().map(Object::toString).toList()) + "}";
        }
    }
}
