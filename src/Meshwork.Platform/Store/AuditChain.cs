using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Meshwork.Platform.Store;

/// <summary>
/// The audit log's hash chain: each record's hash covers its own fields and the previous record's hash, so an
/// edited, inserted or deleted record breaks every hash after it. Every store computes it the same way.
/// </summary>
public static class AuditChain
{
    /// <summary>The "previous hash" of the first record.</summary>
    public static readonly string Genesis = new('0', 64);

    public static string Hash(string previousHash, string at, AuditEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        // A JSON array is an unambiguous encoding: no field can be shifted into its neighbour.
        var canonical = JsonSerializer.Serialize(new object?[]
        {
            previousHash, at, entry.Principal, entry.Action, entry.Resource, entry.Purpose, entry.PlanDigest, entry.Rows, entry.Outcome, entry.Detail,
        });
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
    }

    /// <summary>
    /// Checks a log read oldest first: every record's hash must be its own, every record must point at the one
    /// before it, sequence numbers must not skip, and the newest hash must be the head the store recorded (a
    /// deleted tail leaves a valid chain but a stale head). Returns the problems found, empty when intact.
    /// </summary>
    public static IReadOnlyList<string> Verify(IReadOnlyList<AuditRecord> oldestFirst, string? head, Func<DateTimeOffset, string> timeText)
    {
        ArgumentNullException.ThrowIfNull(oldestFirst);
        ArgumentNullException.ThrowIfNull(timeText);
        var problems = new List<string>();
        var previous = Genesis;
        long? lastSeq = null;
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

            if (Hash(record.PreviousHash, timeText(record.At), record.Entry) != record.Hash)
            {
                problems.Add($"record {record.Seq} was changed after it was written");
            }

            previous = record.Hash;
            lastSeq = record.Seq;
        }

        if (head is not null && head != previous)
        {
            problems.Add("the newest records were deleted: the log ends before the head the store recorded");
        }

        return problems;
    }
}
