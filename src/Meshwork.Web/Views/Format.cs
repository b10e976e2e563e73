using System.Globalization;

namespace Meshwork.Web.Views;

/// <summary>How values read on a page: ages, dates, counts, and the CSS tone of a state.</summary>
public static class Format
{
    public static string Age(DateTimeOffset? at, DateTimeOffset now) => at is { } t ? Age(now - t) + " ago" : "never";

    public static string Age(TimeSpan age) => age switch
    {
        { TotalSeconds: < 60 } => $"{Math.Max(0, (int)age.TotalSeconds)} s",
        { TotalMinutes: < 60 } => $"{(int)age.TotalMinutes} min",
        { TotalHours: < 48 } => $"{(int)age.TotalHours} h",
        _ => $"{(int)age.TotalDays} d",
    };

    public static string Duration(double seconds) => Age(TimeSpan.FromSeconds(seconds));

    public static string Time(DateTimeOffset? at) => at?.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture) ?? "—";

    public static string Date(DateOnly? date) => date?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "—";

    public static string Count(long? value) => value?.ToString("N0", CultureInfo.InvariantCulture) ?? "—";

    public static string Number(decimal? value) => value?.ToString("0.####", CultureInfo.InvariantCulture) ?? "—";

    /// <summary>The badge tone of a state word: good, bad, warn or neutral.</summary>
    public static string Tone(string? state) => state switch
    {
        "passed" or "fresh" or "active" or "healthy" or "enforced" or "allowed" or "live" => "good",
        "failed" or "error" or "stale" or "rejected" or "denied" or "unhealthy" or "revoked" or "refused" or "dead" => "bad",
        "warned" or "pending" or "grace" or "expired" or "deprecated" or "limit" or "draft" or "joining" or "shuttingdown" => "warn",
        _ => "neutral",
    };

    public static string Plural(long count, string one, string many) => count == 1 ? $"1 {one}" : $"{count.ToString("N0", CultureInfo.InvariantCulture)} {many}";
}
