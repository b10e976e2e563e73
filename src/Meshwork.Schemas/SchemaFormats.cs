using Meshwork.Schemas.Avro;
using Meshwork.Schemas.Json;
using Meshwork.Schemas.Protobuf;

namespace Meshwork.Schemas;

/// <summary>The schema formats a registry accepts, keyed by <see cref="ISchemaFormat.Type"/>.</summary>
public sealed class SchemaFormats
{
    private readonly Dictionary<string, ISchemaFormat> _formats = new(StringComparer.Ordinal);
    private readonly List<string> _types = [];

    /// <summary>AVRO, JSON and PROTOBUF.</summary>
    public static SchemaFormats Default { get; } = new SchemaFormats()
        .Add(AvroSchemaFormat.Instance)
        .Add(JsonSchemaFormat.Instance)
        .Add(ProtobufSchemaFormat.Instance);

    /// <summary>Adds (or replaces) the format of <paramref name="format"/>'s type.</summary>
    public SchemaFormats Add(ISchemaFormat format)
    {
        ArgumentNullException.ThrowIfNull(format);
        if (!_formats.ContainsKey(format.Type))
        {
            _types.Add(format.Type);
        }

        _formats[format.Type] = format;
        return this;
    }

    /// <summary>The types, in the order they were added.</summary>
    public IReadOnlyList<string> Types => _types;

    public bool TryGet(string type, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ISchemaFormat? format) => _formats.TryGetValue(type, out format);

    /// <exception cref="ArgumentException">No format of that type is registered.</exception>
    public ISchemaFormat Get(string type) =>
        _formats.TryGetValue(type, out var format)
            ? format
            : throw new ArgumentException($"Schema type '{type}' is not supported; supported: {string.Join(", ", _types)}.", nameof(type));
}
