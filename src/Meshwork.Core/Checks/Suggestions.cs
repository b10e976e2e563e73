namespace Meshwork.Checks;

/// <summary>"Did you mean ...?" for names that resolve nowhere: the closest candidate within a small edit distance.</summary>
internal static class Suggestions
{
    /// <summary>The hint to show: a suggestion when one is close enough, else <paramref name="fallback"/>.</summary>
    public static string? Hint(string name, IEnumerable<string> candidates, string? fallback = null) =>
        Closest(name, candidates) is { } closest ? $"Did you mean '{closest}'?" : fallback;

    public static string? Closest(string name, IEnumerable<string> candidates)
    {
        var limit = Math.Max(1, Math.Min(3, name.Length / 3));
        return candidates
            .Where(c => c != name)
            .Select(c => (Candidate: c, Distance: Distance(name, c)))
            .Where(x => x.Distance <= limit)
            .OrderBy(x => x.Distance)
            .ThenBy(x => x.Candidate, StringComparer.Ordinal)
            .Select(x => x.Candidate)
            .FirstOrDefault();
    }

    /// <summary>Levenshtein distance, two rows.</summary>
    private static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
