/// Picks at most `maxResults` observations spread evenly over a metric's ordered history, for charts that
/// cannot draw every point.
///
/// The history is cut into `maxResults` consecutive buckets whose sizes differ by at most one (larger buckets
/// first) and the first observation of each bucket is kept; the last observation is always kept too, replacing
/// the final sample when the budget is full. This is the sampling MLflow's bulk-interval endpoint performs, so
/// charts look the same on either server.
public enum MetricSampling {
    public static func sample(_ ordered: [Metric], maxResults: Int) -> [Metric] {
        let count = ordered.count
        let buckets = max(1, maxResults)
        guard count > 0 else { return [] }
        var picked: [Metric] = []
        if count <= buckets {
            picked = ordered
        } else {
            let base = count / buckets
            let larger = count % buckets
            var index = 0
            for bucket in 0..<buckets {
                picked.append(ordered[index])
                index += base + (bucket < larger ? 1 : 0)
            }
        }
        let last = ordered[count - 1]
        if let final = picked.last, !final.isSameObservation(as: last) {
            if picked.count >= buckets {
                picked[picked.count - 1] = last
            } else {
                picked.append(last)
            }
        }
        return picked
    }
}
