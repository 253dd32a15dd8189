package org.cklbench.engine.djl;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ScalarsTest {

    /**
     * The constant must outlive garbage collection between the forward and the backward pass: with
     * DJL's {@code mul(Number)} the saved 0-d tensor points into a collected buffer at this point.
     */
    @Test
    void aConstantSurvivesGarbageCollectionUntilBackward() {
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            for (int round = 0; round < 20; round++) {
                NDArray x = m.create(new float[] {1f, 2f, 3f});
                x.setRequiresGradient(true);
                try (NDManager step = m.newSubManager()) {
                    NDArray loss = Autograd.record(() -> Scalars.mul(x, 3.0).sum());
                    List<ByteBuffer> churn = new ArrayList<>();
                    for (int i = 0; i < 200; i++) {
                        churn.add(ByteBuffer.allocateDirect(4096).putFloat(0, Float.NaN));
                    }
                    churn.clear();
                    System.gc();
                    try (var gc = ai.djl.engine.Engine.getInstance().newGradientCollector()) {
                        gc.backward(loss);
                    }
                    assertThat(x.getGradient().toFloatArray()).containsExactly(3f, 3f, 3f);
                }
            }
        }
    }
}
