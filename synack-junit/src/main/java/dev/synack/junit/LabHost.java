package dev.synack.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Names the lab host a {@link dev.synack.sim.Host} parameter or field receives; without it, the
 * parameter's or field's own name (parameter names need javac's {@code -parameters}).
 */
@Target({ElementType.PARAMETER, ElementType.FIELD})
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface LabHost {
    /** The host's name in the network (also its name in the network's name table). */
    String value();
}
