using System.Globalization;
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
        CompatibilityLevel level, global::Avro.Schema candidate, IReadOnlyList<global::Avro.Schema> previous)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        ArgumentNullException.ThrowIfNull(previous);
        return Check(level, previous.Count, i => previous[i] ?? throw new ArgumentException($"Previous schema {i} is null.", nameof(previous)),
            (reader, writer) => AvroCompatibility.CanRead(reader, writer), candidate);
    }

    /// <summary>
    /// Lists why <paramref name="candidate"/> may not follow <paramref name="previous"/> at
    /// <paramref name="level"/>, for schemas of any format; an empty list means it may.
    /// </summary>
    /// <remarks>
    /// As the Confluent registry does, a previous version of another schema type than the candidate's is an
    /// incompatibility (<see cref="SchemaIncompatibilityKinds.SchemaTypeMismatch"/>) at every level, NONE
    /// included: one subject holds one type. Otherwise as the Avro overload.
    /// </remarks>
    public static IReadOnlyList<SchemaIncompatibility> Check(
        CompatibilityLevel level, ParsedSchema candidate, IReadOnlyList<ParsedSchema> previous)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        ArgumentNullException.ThrowIfNull(previous);

        var mismatches = new List<SchemaIncompatibility>();
        for (var i = 0; i < previous.Count; i++)
        {
            var version = previous[i] ?? throw new ArgumentException($"Previous schema {i} is null.", nameof(previous));
            if (version.Type != candidate.Type)
            {
                mismatches.Add(new SchemaIncompatibility(SchemaIncompatibilityKinds.SchemaTypeMismatch, "/",
                    $"Incompatible because of different schema type: the candidate is {candidate.Type}, {Label(i, previous.Count)} is {version.Type}."));
            }
        }

        if (mismatches.Count > 0)
        {
            // Checking across types means nothing; the mismatch alone is the answer.
            _ = LevelFlags(level);
            return mismatches;
        }

        return Check(level, previous.Count, i => previous[i], candidate.Format.CanRead, candidate);
    }

    private static List<SchemaIncompatibility> Check<TSchema>(
        CompatibilityLevel level, int count, Func<int, TSchema> previous, Func<TSchema, TSchema, IReadOnlyList<SchemaIncompatibility>> canRead, TSchema candidate)
    {
        var (backward, forward, transitive) = LevelFlags(level);
        var found = new List<SchemaIncompatibility>();
        if (count == 0 || !(backward || forward))
        {
            return found;
        }

        for (var i = transitive ? 0 : count - 1; i < count; i++)
        {
            var version = previous(i);
            var label = Label(i, count);

            if (backward)
            {
                foreach (var problem in canRead(candidate, version))
                {
                    found.Add(problem with
                    {
                        Message = $"Backward: the candidate cannot read data written with {label}: {problem.Message}",
                    });
                }
            }

            if (forward)
            {
                foreach (var problem in canRead(version, candidate))
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

    private static (bool Backward, bool Forward, bool Transitive) LevelFlags(CompatibilityLevel level) => level switch
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

    private static string Label(int i, int count) => string.Create(
        CultureInfo.InvariantCulture,
        $"previous version {i + 1} of {count}{(i == count - 1 ? " (the latest)" : "")}");
}
