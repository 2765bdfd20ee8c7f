package dev.synack.packetdrill;

import java.util.List;

/**
 * A parsed packetdrill script.
 *
 * @param path where it came from (for messages and for resolving relative command paths)
 * @param options the command-line options at its top ({@code --tolerance_usecs=10000}), as written
 * @param events the events in script order (the init and cleanup commands included, with
 *     {@link EventTime.Kind#NONE} times)
 */
public record Script(String path, List<String> options, List<Event> events) {
    public Script {
        options = List.copyOf(options);
        events = List.copyOf(events);
    }

    /** The value of {@code --name=value}, or null when the option is absent. */
    public String option(String name) {
        for (String o : options) {
            String body = o.startsWith("--") ? o.substring(2) : o;
            int eq = body.indexOf('=');
            String n = eq < 0 ? body : body.substring(0, eq);
            if (n.equals(name)) return eq < 0 ? "" : body.substring(eq + 1);
        }
        return null;
    }
}
