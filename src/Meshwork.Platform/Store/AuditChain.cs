using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Meshwork.Platform.Store;

/// <summary>
/// The audit chain's key for a data folder (<c>PlatformKey.AuditChain</c>). The composition root gives it to the store
/// providers, so a store keys its chain without depending on where keys come from (the key provider), and no caller of
/// <see cref="IAuditLog"/> has to carry it; it is asked for only when a record is appended or the chain verified.
/// </summary>
public delegate byte[] AuditKeySource(string dataFolder);

/// <summary>
/// The audit log's hash chain: each record's hash covers its own fields and the previous record's hash, so an
/// edited, inserted or deleted record breaks every hash after it. The hash is an HMAC-SHA256 with a key kept outside
/// the store (<see cref="AuditSchemes.HmacSha256"/>): someone who can write the database but lacks the key cannot
/// rewrite records and recompute the chain. Records written before the chain was keyed carry a plain SHA-256
/// (<see cref="AuditSchemes.Sha256"/>) and are verified by it. Every store computes it the same way.
/// </summary>
public static class AuditChain
{
    /// <summary>The "previous hash" of the first record.</summary>
    public static readonly string Genesis = new('0', 64);

    /// <summary>A record's hash under <paramref name="scheme"/>; <paramref name="key"/> is asked for only when the scheme is keyed.</summary>
    public static string Hash(string scheme, Func<byte[]> key, string previousHash, string at, AuditEntry entry)
    {
        ArgumentNullException.ThrowIfNull(key);
        var content = Canonical(previousHash, at, entry);
        return scheme switch
        {
            AuditSchemes.HmacSha256 => Convert.ToHexStringLower(HMACSHA256.HashData(key(), content)),
            AuditSchemes.Sha256 => Convert.ToHexStringLower(SHA256.HashData(content)),
            _ => throw new ArgumentOutOfRangeException(nameof(scheme), scheme, "Not an audit hash scheme."),
        };
    }

    private static byte[] Canonical(string previousHash, string at, AuditEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        // A JSON array is an unambiguous encoding: no field can be shifted into its neighbour.
        return Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new object?[]
        {
            previousHash, at, entry.Principal, entry.Action, entry.Resource, entry.Purpose, entry.PlanDigest, entry.Rows, entry.Outcome, entry.Detail,
        }));
    }

    /// <summary>
    /// Checks a log read oldest first: every record's hash must be its own under its scheme (with <paramref name="key"/>
    /// for keyed records), no unkeyed record may follow a keyed one (a downgrade by someone without the key), every
    /// record must point at the one before it, sequence numbers must not skip, the newest hash must be the head the
    /// store recorded (a deleted tail leaves a valid chain but a stale head), and an <paramref name="anchoredHead"/>
    /// (a head exported earlier with <c>mesh audit head</c>) must still be in the chain. Returns the problems found,
    /// empty when intact.
    /// </summary>
    public static IReadOnlyList<string> Verify(IReadOnlyList<AuditRecord> oldestFirst, string? head, Func<DateTimeOffset, string> timeText, Func<byte[]> key,
        string? anchoredHead = null)
    {
        ArgumentNullException.ThrowIfNull(oldestFirst);
        ArgumentNullException.ThrowIfNull(timeText);
        ArgumentNullException.ThrowIfNull(key);
        var problems = new List<string>();
        var previous = Genesis;
        long? lastSeq = null, firstKeyed = null, anchoredAt = null;
        var mismatched = new List<long>();
        var downgraded = new List<long>();
        foreach (var record in oldestFirst)
        {
            if (lastSeq is { } last && record.Seq != last + 1)
            {
                problems.Add($"records {last + 1}..{record.Seq - 1} are missing (deleted)");
            }

            if (record.PreviousHash != previous)
            {
                problems.Add($"record {record.Seq} does not follow the record before it (a record before it was changed or deleted)");
            }

            switch (record.Scheme)
            {
                case AuditSchemes.HmacSha256:
                    firstKeyed ??= record.Seq;
                    break;
                case AuditSchemes.Sha256 when firstKeyed is not null:
                    downgraded.Add(record.Seq);
                    break;
                case AuditSchemes.Sha256:
                    break;
                default:
                    problems.Add($"record {record.Seq} has the unknown hash scheme '{record.Scheme}'");
                    break;
            }

            if (record.Scheme is AuditSchemes.HmacSha256 or AuditSchemes.Sha256
                && !FixedTimeEquals(Hash(record.Scheme, key, record.PreviousHash, timeText(record.At), record.Entry), record.Hash))
            {
                mismatched.Add(record.Seq);
            }

            if (record.Hash == anchoredHead)
            {
                anchoredAt ??= record.Seq;
            }

            previous = record.Hash;
            lastSeq = record.Seq;
        }

        // A wrong key fails every keyed record: name the first, count the rest.
        if (mismatched.Count > 0)
        {
            problems.Add(string.Create(CultureInfo.InvariantCulture,
                $"record {mismatched[0]} was changed after it was written, or the audit key is not the one it was written with{More(mismatched, "do not match their hash")}"));
        }

        if (downgraded.Count > 0)
        {
            problems.Add(string.Create(CultureInfo.InvariantCulture,
                $"record {downgraded[0]} is unkeyed (plain SHA-256) after the keyed record {firstKeyed}: a downgrade, written by someone without the audit key{More(downgraded, "are unkeyed")}"));
        }

        if (head is not null && head != previous)
        {
            problems.Add("the newest records were deleted: the log ends before the head the store recorded");
        }

        if (anchoredHead is not null && anchoredAt is null)
        {
            problems.Add($"the anchored head {anchoredHead} is not in the chain: the records up to it were rewritten or deleted");
        }

        return problems;
    }

    private static string More(List<long> seqs, string what) => seqs.Count == 1
        ? string.Empty
        : string.Create(CultureInfo.InvariantCulture, $" ({seqs.Count - 1} later record(s) {what} too)");

    private static bool FixedTimeEquals(string computed, string stored) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(computed), Encoding.ASCII.GetBytes(stored));
}

/// <summary>How an audit record's hash was computed, kept per record.</summary>
public static class AuditSchemes
{
    /// <summary>HMAC-SHA256 with the audit key: every record appended now.</summary>
    public const string HmacSha256 = "hmac-sha256";

    /// <summary>Plain SHA-256: records written before the chain was keyed (and what a downgrade would write).</summary>
    public const string Sha256 = "sha256";
}

/// <summary>
/// A store instance's audit key, read once on first use (a store opened only to read never needs it); a store opened
/// without one refuses to append or verify rather than write an unkeyed record.
/// </summary>
internal sealed class AuditKeyHolder(Func<byte[]>? source)
{
    private readonly Lazy<byte[]>? _key = source is null ? null : new(source, LazyThreadSafetyMode.PublicationOnly);

    public byte[] Key() => _key?.Value
        ?? throw new InvalidOperationException("This metadata store was opened without the audit chain's key: open it through its provider as composed by AddMeshwork.");
}
