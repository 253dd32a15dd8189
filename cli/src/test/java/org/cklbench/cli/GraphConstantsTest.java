package org.cklbench.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.internal.NDArrayEx;
import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.domain.JavaMethodCall;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import org.cklbench.engine.djl.Scalars;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * No main code does arithmetic between an {@link NDArray} and a Java {@link Number} where autograd may be
 * recording. DJL's {@code x.mul(2.0)}, {@code div}, {@code pow}, {@code maximum}, {@code NDArrayEx.rdiv} and the
 * rest wrap the number in a 0-d tensor that borrows a Java direct buffer (no copy) and close it right after the
 * operation. Autograd saves that tensor for the backward pass (MulBackward, DivBackward, PowBackward, ...), so
 * once the garbage collector frees the buffer, backward reads freed memory: NaN, infinities or plausible garbage
 * in the gradients, depending on GC timing (the CI's NaN in AdamWMetaGradientTest). {@link Scalars} keeps the
 * constant in the operand's manager instead, alive as long as the computation.
 *
 * <p>The few graph-free methods below keep DJL's overloads; each says why no graph can pass through it there.
 * Comparisons ({@code eq}, {@code gt}, ...) are not checked: their boolean results have no backward.
 */
class GraphConstantsTest {

    /** Methods (owner's binary name, then the method; calls in a lambda count as the enclosing method's). */
    static final Map<String, String> GRAPH_FREE = Map.of(
            "org.cklbench.methods.taalm.MetaGradient$InnerState.step",
            "the inner optimiser's step: detached θ, gradients and moments, none requiring grad; runs between recordings",
            "org.cklbench.methods.taalm.MetaGradient$InnerState.jacobian",
            "the step's derivative: gradients and moments, none requiring grad; runs between recordings",
            "org.cklbench.methods.taalm.MetaGradient$InnerState.referenceDenominator",
            "the second moment only, for step and jacobian",
            "org.cklbench.methods.RecAdam$Method.afterUpdate",
            "after the optimiser's step, outside any collector; its result is written into the parameters, never differentiated",
            "org.cklbench.core.train.Trainer.eosPadded",
            "integer token ids and mask: nothing to differentiate",
            "org.cklbench.engine.lora.LoraAdapter.mergeInto",
            "s·B·A is added into the base weights in place after training and never differentiated");

    private static final Set<String> CHECKED_OWNERS = Set.of(NDArray.class.getName(), NDArrayEx.class.getName(),
            NDArrays.class.getName());
    private static final Set<String> COMPARISONS = Set.of("eq", "neq", "gt", "gte", "lt", "lte");

    static final String WHY = "DJL's Number overloads wrap the constant in a 0-d tensor over a Java buffer and free it"
            + " at once, while autograd keeps it for backward, which then reads freed memory (NaN or garbage gradients"
            + " after a GC). Use org.cklbench.engine.djl.Scalars (mul, div, add, sub, or scalar(x, v) as an operand),"
            + " which keeps the constant alive with its operand; or, for code whose operands never require grad, add the"
            + " method to GraphConstantsTest.GRAPH_FREE with the reason";

    @Test
    void mainCodePassesConstantsThroughScalars() {
        ImportOption mainOnly = location -> !location.contains("/test-classes/") && !location.contains("-tests.jar");
        JavaClasses main = new ClassFileImporter().withImportOption(mainOnly).importPackages("org.cklbench");
        rule(GRAPH_FREE).check(main); // its failure names each call, what to use instead and why
        assertThat(allowedCallers(main)).as("every GRAPH_FREE entry still calls a Number overload (else remove it)")
                .isEqualTo(new TreeSet<>(GRAPH_FREE.keySet()));
    }

    @Test
    void theRuleCatchesNumberOverloadsAndNamesTheRemedy() {
        JavaClasses fixture = new ClassFileImporter().importClasses(Fixture.class);
        EvaluationResult result = rule(Map.of()).evaluate(fixture);
        String report = String.join("\n", result.getFailureReport().getDetails());
        assertThat(report).contains("$Fixture.scaled(", "$Fixture.rescaled(", "$Fixture.clamped(", "$Fixture.inverted(",
                "$Fixture.fromLambda(");
        assertThat(report).doesNotContain("throughScalars", "compared");
        assertThat(result.getFailureReport().toString()).contains("org.cklbench.engine.djl.Scalars");

        String allowed = Fixture.class.getName() + ".scaled";
        String lambda = Fixture.class.getName() + ".fromLambda";
        String details = String.join("\n",
                rule(Map.of(allowed, "test", lambda, "test")).evaluate(fixture).getFailureReport().getDetails());
        assertThat(details).contains("$Fixture.rescaled(").doesNotContain("$Fixture.scaled(").doesNotContain("fromLambda");
    }

    static ArchRule rule(Map<String, String> graphFree) {
        DescribedPredicate<JavaMethodCall> forbidden = DescribedPredicate.describe(
                "a method of NDArray, NDArrayEx or NDArrays taking a java.lang.Number outside "
                        + "GraphConstantsTest.GRAPH_FREE",
                call -> numberOverload(call) && !graphFree.containsKey(caller(call.getOrigin())));
        return noClasses().should().callMethodWhere(forbidden).because(WHY);
    }

    private static boolean numberOverload(JavaMethodCall call) {
        JavaClass owner = call.getTargetOwner();
        boolean djlArray = CHECKED_OWNERS.stream().anyMatch(owner::isAssignableTo);
        return djlArray && !COMPARISONS.contains(call.getName())
                && call.getTarget().getRawParameterTypes().stream().anyMatch(t -> t.isEquivalentTo(Number.class));
    }

    /** "Owner.method"; ArchUnit already counts a lambda's calls as calls of the method it is written in. */
    static String caller(JavaCodeUnit origin) {
        return origin.getOwner().getName() + "." + origin.getName();
    }

    private static Set<String> allowedCallers(JavaClasses classes) {
        Set<String> out = new TreeSet<>();
        for (JavaClass c : classes) {
            for (JavaMethodCall call : c.getMethodCallsFromSelf()) {
                if (numberOverload(call) && GRAPH_FREE.containsKey(caller(call.getOrigin()))) {
                    out.add(caller(call.getOrigin()));
                }
            }
        }
        return out;
    }

    /** Calls the rule must report (and two it must not), compiled but never run. */
    @SuppressWarnings("unused")
    static final class Fixture {
        NDArray scaled(NDArray x) {
            return x.mul(2.0);
        }

        NDArray rescaled(NDArray x) {
            return x.div(3f);
        }

        NDArray clamped(NDArray x) {
            return x.maximum(0f);
        }

        NDArray inverted(NDArray x) {
            return x.getNDArrayInternal().rdiv(1);
        }

        java.util.function.UnaryOperator<NDArray> fromLambda() {
            return x -> x.pow(2);
        }

        NDArray throughScalars(NDArray x) {
            return Scalars.mul(x, 2.0);
        }

        NDArray compared(NDArray x) {
            return x.gt(0);
        }
    }
}
