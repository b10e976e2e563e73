using System.Globalization;
using System.Text.Json;
using Meshwork.Engines;
using Meshwork.Model;
using Meshwork.Platform.Store;

namespace Meshwork.Platform.Quality;

/// <summary>A service-level objective read from a contract's <c>slaProperties</c> (freshness via <c>latency</c>/<c>freshness</c>, <c>retention</c>).</summary>
public sealed record Slo(string Property, TimeSpan Limit, string? Column, string Text)
{
    /// <summary>The SLOs of a contract that apply to <paramref name="objectName"/> (an <c>element</c> of <c>object.column</c>, or none).</summary>
    public static IReadOnlyList<Slo> Of(Contract contract, string objectName) =>
        [.. contract.Sla
            .Where(s => s.Property is "latency" or "freshness" or "retention")
            .Select(s => (Sla: s, Limit: Duration(s.Value, s.Unit)))
            .Where(x => x.Limit is not null && (x.Sla.Element is null || x.Sla.Element.StartsWith(objectName + ".", StringComparison.Ordinal)))
            // Retention is about the rows' own dates; without an element column there is nothing to measure.
            .Where(x => x.Sla.Property != "retention" || x.Sla.Element is not null)
            .Select(x => new Slo(x.Sla.Property == "retention" ? "retention" : "freshness", x.Limit!.Value,
                x.Sla.Element is { } element ? element[(element.IndexOf('.', StringComparison.Ordinal) + 1)..] : null,
                $"{x.Sla.Property} {x.Sla.Value.GetRawText()} {x.Sla.Unit}".Trim()))];

    /// <summary>ODCS SLA units: d/day/days, h/hour/hours, m/min/minutes, w/week, mo/month (30 d), y/yr/year (365 d).</summary>
    public static TimeSpan? Duration(JsonElement value, string? unit)
    {
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out var amount) || amount < 0)
        {
            return null;
        }

        double? days = unit?.ToLowerInvariant() switch
        {
            "d" or "day" or "days" => amount,
            "h" or "hour" or "hours" => amount / 24,
            "m" or "min" or "minute" or "minutes" => amount / 1440,
            "w" or "week" or "weeks" => amount * 7,
            "mo" or "month" or "months" => amount * 30,
            "y" or "yr" or "year" or "years" => amount * 365,
            _ => null,
        };
        return days is { } d ? TimeSpan.FromDays(d) : null;
    }

    /// <summary>
    /// Freshness: the newest value of the SLO's column (else the publish time) is within the limit.
    /// Retention: no row's value of the column is older than the limit.
    /// </summary>
    public async Task<TestOutcome> EvaluateAsync(IComputeEngine engine, string address, SnapshotRecord snapshot, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        DateTimeOffset? measured = snapshot.CreatedAt;
        if (Column is { } column)
        {
            var aggregate = Property == "retention" ? "min" : "max";
            try
            {
                await using var reader = await engine.ReadAsync($"SELECT CAST({aggregate}(\"{column.Replace("\"", "\"\"", StringComparison.Ordinal)}\") AS TIMESTAMP) FROM {address}", cancellationToken).ConfigureAwait(false);
                measured = await reader.ReadAsync(cancellationToken).ConfigureAwait(false) && !reader.IsDBNull(0)
                    ? new DateTimeOffset(DateTime.SpecifyKind(reader.GetDateTime(0), DateTimeKind.Utc))
                    : null;
            }
            catch (EngineException e)
            {
                return new TestOutcome(address, ToString(), "error", "error", $"{this}: {EngineMessages.Redact(e.Message)}");
            }
        }

        if (measured is not { } value)
        {
            return new TestOutcome(address, ToString(), "passed", "error", $"{this}: no rows to measure");
        }

        var age = now - value;
        var passed = age <= Limit;
        var what = Property == "retention" ? "oldest row" : "newest data";
        return new TestOutcome(address, ToString(), passed ? "passed" : "failed", "error",
            $"{this}: {what} is {Slo.Show(age)} old (limit {Slo.Show(Limit)})");
    }

    /// <summary>A duration as a person reads it: hours below two days, days above.</summary>
    public static string Show(TimeSpan span) =>
        span.TotalDays >= 2 ? string.Create(CultureInfo.InvariantCulture, $"{span.TotalDays:0.#} d") : string.Create(CultureInfo.InvariantCulture, $"{span.TotalHours:0.#} h");

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Property} ({Text})");
}
