using System.Globalization;

namespace Meshwork.Benchmarks;

/// <summary>Latency samples in milliseconds and their nearest-rank percentiles.</summary>
public sealed class Latencies
{
    private readonly List<double> _samples = [];

    public int Count => _samples.Count;

    public void Add(TimeSpan elapsed) => _samples.Add(elapsed.TotalMilliseconds);

    public void AddRange(Latencies other)
    {
        ArgumentNullException.ThrowIfNull(other);
        _samples.AddRange(other._samples);
    }

    /// <summary>The nearest-rank percentile: the smallest sample with at least <paramref name="percent"/>% of the samples at or below it.</summary>
    public double Percentile(double percent)
    {
        if (_samples.Count == 0)
        {
            throw new InvalidOperationException("No samples.");
        }

        var sorted = _samples.Order().ToArray();
        var rank = (int)Math.Ceiling(percent / 100 * sorted.Length);
        return sorted[Math.Clamp(rank, 1, sorted.Length) - 1];
    }

    public double Mean => _samples.Average();

    public double Min => _samples.Min();

    public double Max => _samples.Max();

    /// <summary>p50, p95, p99 and max, e.g. <c>p50 3.12 ms, p95 5.40 ms, p99 7.03 ms, max 9.80 ms (n = 1000)</c>.</summary>
    public string Summary() => string.Create(CultureInfo.InvariantCulture,
        $"p50 {Percentile(50):0.00} ms, p95 {Percentile(95):0.00} ms, p99 {Percentile(99):0.00} ms, max {Max:0.00} ms, mean {Mean:0.00} ms (n = {Count})");
}
