using System.Globalization;
using Avro;
using Meshwork.Schemas.Avro;

namespace Meshwork.Schemas;

/// <summary>
/// Checks a candidate schema against the versions registered before it, at a <see cref="CompatibilityLevel"/>.
/// </summary>
public static class Compatibility
{
    /// <summary>
    /// Lists why <paramref name="candidate"/> may not follow <paramref name="previous"/> at
    /// <paramref name="level"/>; an empty list means it may.
    /// </summary>
    /// <param name="level">
    /// BACKWARD: the candidate (reader) reads data written with the latest previous version (writer);
    /// FORWARD: the latest previous version reads data written with the candidate; FULL: both. The
    /// transitive levels check every previous version instead of the latest only.
    /// </param>
    /// <param name="candidate">The new schema.</param>
    /// <param name="previous">The registered versions, oldest first; the last one is the latest.</param>
    /// <remarks>
    /// Each message says which check and which previous version it came from. The location points into
    /// the reader of that check: the candidate for a backward check, the previous version for a forward one.
    /// </remarks>
    public static IReadOnlyList<SchemaIncompatibility> Check(
        CompatibilityLevel level, Schema candidate, IReadOnlyList<Schema> previous)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        ArgumentNullException.ThrowIfNull(previous);

        var (backward, forward, transitive) = level switch
        {
            CompatibilityLevel.None => (false, false, false),
            CompatibilityLevel.Backward => (true, false, false),
            CompatibilityLevel.BackwardTransitive => (true, false, true),
            CompatibilityLevel.Forward => (false, true, false),
            CompatibilityLevel.ForwardTransitive => (false, true, true),
            CompatibilityLevel.Full => (true, true, false),
            CompatibilityLevel.FullTransitive => (true, true, true),
            _ => throw new ArgumentOutOfRangeException(nameof(level), level, "Unknown compatibility level."),
        };

        var found = new List<SchemaIncompatibility>();
        if (previous.Count == 0 || !(backward || forward))
        {
            return found;
        }

        var count = previous.Count;
        for (var i = transitive ? 0 : count - 1; i < count; i++)
        {
            var version = previous[i]
                ?? throw new ArgumentException($"Previous schema {i} is null.", nameof(previous));
            var label = string.Create(
                CultureInfo.InvariantCulture,
                $"previous version {i + 1} of {count}{(i == count - 1 ? " (the latest)" : "")}");

            if (backward)
            {
                foreach (var problem in AvroCompatibility.CanRead(candidate, version))
                {
                    found.Add(problem with
                    {
                        Message = $"Backward: the candidate cannot read data written with {label}: {problem.Message}",
                    });
                }
            }

            if (forward)
            {
                foreach (var problem in AvroCompatibility.CanRead(version, candidate))
                {
                    found.Add(problem with
                    {
                        Message = $"Forward: {label} cannot read data written with the candidate (location is in that version): {problem.Message}",
                    });
                }
            }
        }

        return found;
    }
}
