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
}
