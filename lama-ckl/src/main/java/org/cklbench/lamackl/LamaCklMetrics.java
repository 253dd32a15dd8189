package org.cklbench.lamackl;

import java.util.List;

/**
 * The headline figures of LAMA-ckl, from the stored curve: Top Acc is the best To-Learn
 * accuracy over the evaluated epochs (epoch 0 included), Epoch the first epoch that reaches it,
 * NF Acc the Not-To-Forget accuracy at that epoch, Total Knowledge their sum.
 */
public record LamaCklMetrics(double topAcc, int epoch, double nfAcc, double totalKnowledge) {

    /** One evaluation of the curve. */
    public record Point(int epoch, double toLearnAcc, double notToForgetAcc) {
    }

    public static LamaCklMetrics fromCurve(List<Point> curve) {
        if (curve.isEmpty()) {
            throw new IllegalArgumentException("the curve has no evaluation");
        }
        Point best = curve.get(0);
        for (Point p : curve) {
            if (p.toLearnAcc() > best.toLearnAcc()) {
                best = p;
            }
        }
        return new LamaCklMetrics(best.toLearnAcc(), best.epoch(), best.notToForgetAcc(),
                best.toLearnAcc() + best.notToForgetAcc());
    }
}
