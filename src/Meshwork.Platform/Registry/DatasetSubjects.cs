namespace Meshwork.Platform.Registry;

/// <summary>
/// The registry subjects of a published dataset, named as Confluent's TopicNameStrategy names a topic's value
/// schema: <c>&lt;address&gt;-value</c> (Avro) and <c>&lt;address&gt;.json-value</c> (JSON Schema; a subject holds
/// one schema type, so the JSON one is that of a topic named <c>&lt;address&gt;.json</c>).
/// </summary>
public static class DatasetSubjects
{
    public static string Avro(string address) => address + "-value";

    public static string Json(string address) => address + ".json-value";

    /// <summary>
    /// The dataset address a subject would belong to (<c>-value</c>, <c>.json-value</c> or <c>-key</c>), when
    /// <paramref name="isDataset"/> says the address is a published dataset; null otherwise.
    /// </summary>
    public static string? DatasetOf(string subject, Func<string, bool> isDataset)
    {
        ArgumentNullException.ThrowIfNull(subject);
        ArgumentNullException.ThrowIfNull(isDataset);
        var address = subject.EndsWith("-value", StringComparison.Ordinal) ? subject[..^6]
            : subject.EndsWith("-key", StringComparison.Ordinal) ? subject[..^4]
            : null;
        if (address is not null && address.EndsWith(".json", StringComparison.Ordinal) && isDataset(address[..^5]))
        {
            return address[..^5];
        }

        return address is not null && isDataset(address) ? address : null;
    }
}
