using System.Globalization;
using System.Runtime.CompilerServices;
using Avro;

namespace Meshwork.Schemas.Avro;

/// <summary>
/// Decides whether a reader schema resolves a writer schema, one (reader, writer) pair at a time, remembering
/// each pair's findings so that shared and recursive types are checked once and recursion ends.
/// </summary>
/// <remarks>Use one instance for one top-level check; it is not thread-safe.</remarks>
internal sealed class ResolutionChecker
{
    private static readonly Finding[] None = [];

    // A pair maps to null while it is being checked: reaching it again is recursion, taken as compatible
    // (any real incompatibility of the pair is reported by the visit in progress).
    private readonly Dictionary<SchemaPair, Finding[]?> _pairs = [];
    private readonly Dictionary<NamedSchema, IReadOnlyList<string>> _aliases = new(ReferenceEqualityComparer.Instance);

    /// <summary>The findings for reading <paramref name="writer"/> with <paramref name="reader"/>, located relative to the reader.</summary>
    public IReadOnlyList<Finding> Check(Schema reader, Schema writer)
    {
        reader = AvroSchemaFacts.Unwrap(reader);
        writer = AvroSchemaFacts.Unwrap(writer);

        var pair = new SchemaPair(reader, writer);
        if (_pairs.TryGetValue(pair, out var known))
        {
            return known ?? None;
        }

        _pairs[pair] = null;
        var findings = Calculate(reader, writer);
        _pairs[pair] = findings;
        return findings;
    }

    private Finding[] Calculate(Schema reader, Schema writer)
    {
        var readerKind = AvroSchemaFacts.KindOf(reader);
        var writerKind = AvroSchemaFacts.KindOf(writer);

        if (readerKind == writerKind)
        {
            return readerKind switch
            {
                _ when AvroSchemaFacts.IsPrimitive(readerKind) => None,
                Schema.Type.Array => Under(
                    Check(((ArraySchema)reader).ItemSchema, ((ArraySchema)writer).ItemSchema), null, "items"),
                Schema.Type.Map => Under(
                    Check(((MapSchema)reader).ValueSchema, ((MapSchema)writer).ValueSchema), null, "values"),
                Schema.Type.Fixed => [
                    .. CheckNames((NamedSchema)reader, (NamedSchema)writer),
                    .. CheckFixedSize((FixedSchema)reader, (FixedSchema)writer),
                ],
                Schema.Type.Enumeration => [
                    .. CheckNames((NamedSchema)reader, (NamedSchema)writer),
                    .. CheckEnumSymbols((EnumSchema)reader, (EnumSchema)writer),
                ],
                Schema.Type.Record => [
                    .. CheckNames((NamedSchema)reader, (NamedSchema)writer),
                    .. CheckFields((RecordSchema)reader, (RecordSchema)writer),
                ],
                Schema.Type.Union => CheckWriterUnionBranches((UnionSchema)reader, (UnionSchema)writer),
                _ => throw new NotSupportedException($"Unknown Avro schema type {reader.Tag}."),
            };
        }

        // A writer union is readable when each of its branches is readable by the (non-union) reader.
        if (writer is UnionSchema writerUnion)
        {
            var findings = new List<Finding>();
            for (var i = 0; i < writerUnion.Count; i++)
            {
                var branch = writerUnion.Schemas[i];
                var context = string.Create(
                    CultureInfo.InvariantCulture, $"Writer union branch {i} ({AvroSchemaFacts.Describe(branch)}): ");
                foreach (var finding in Check(reader, branch))
                {
                    findings.Add(finding with { Message = context + finding.Message });
                }
            }

            return [.. findings];
        }

        if (reader is UnionSchema readerUnion)
        {
            return FirstReadingBranch(readerUnion, writer) >= 0
                ? None
                : [Finding.At(
                    SchemaIncompatibilityKinds.MissingUnionBranch,
                    $"Reader {AvroSchemaFacts.Describe(readerUnion)} has no branch that can read writer type {AvroSchemaFacts.Describe(writer)}.")];
        }

        if (AvroSchemaFacts.Promotes(writerKind, readerKind))
        {
            return None;
        }

        var reason = AvroSchemaFacts.IsNumber(readerKind) && AvroSchemaFacts.IsNumber(writerKind)
            ? $" ({writer.Name} is not promoted to {reader.Name})"
            : "";
        return [Finding.At(
            SchemaIncompatibilityKinds.TypeMismatch,
            $"Reader type {AvroSchemaFacts.Describe(reader)} cannot read writer type {AvroSchemaFacts.Describe(writer)}{reason}.")];
    }

    /// <summary>The first reader union branch that reads <paramref name="writer"/>, as the specification picks it; -1 if none.</summary>
    private int FirstReadingBranch(UnionSchema reader, Schema writer)
    {
        for (var i = 0; i < reader.Count; i++)
        {
            if (Check(reader.Schemas[i], writer).Count == 0)
            {
                return i;
            }
        }

        return -1;
    }

    private Finding[] CheckWriterUnionBranches(UnionSchema reader, UnionSchema writer)
    {
        var findings = new List<Finding>();
        for (var i = 0; i < writer.Count; i++)
        {
            var branch = writer.Schemas[i];
            if (FirstReadingBranch(reader, branch) < 0)
            {
                findings.Add(Finding.At(
                    SchemaIncompatibilityKinds.MissingUnionBranch,
                    string.Create(
                        CultureInfo.InvariantCulture,
                        $"Reader {AvroSchemaFacts.Describe(reader)} has no branch that can read writer union branch {i} ({AvroSchemaFacts.Describe(branch)}).")));
            }
        }

        return [.. findings];
    }

    private Finding[] CheckNames(NamedSchema reader, NamedSchema writer)
    {
        if (string.Equals(reader.Name, writer.Name, StringComparison.Ordinal))
        {
            return None;
        }

        if (!_aliases.TryGetValue(reader, out var aliases))
        {
            aliases = AvroSchemaFacts.QualifiedAliases(reader);
            _aliases[reader] = aliases;
        }

        if (aliases.Contains(writer.Fullname, StringComparer.Ordinal))
        {
            return None;
        }

        var aliasText = aliases.Count == 0 ? "it has no aliases" : $"its aliases are {string.Join(", ", aliases)}";
        return [Finding.At(
            SchemaIncompatibilityKinds.NameMismatch,
            $"Reader {AvroSchemaFacts.Describe(reader)} does not match writer {AvroSchemaFacts.Describe(writer)}: the names differ and no reader alias is '{writer.Fullname}' ({aliasText}).",
            "name")];
    }

    private static Finding[] CheckFixedSize(FixedSchema reader, FixedSchema writer) =>
        reader.Size == writer.Size
            ? None
            : [Finding.At(
                SchemaIncompatibilityKinds.FixedSizeMismatch,
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"Reader fixed '{reader.Fullname}' has size {reader.Size} but writer fixed '{writer.Fullname}' has size {writer.Size}."),
                "size")];

    private static Finding[] CheckEnumSymbols(EnumSchema reader, EnumSchema writer)
    {
        var missing = writer.Symbols
            .Where(symbol => !reader.Contains(symbol))
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToList();

        // Since Avro 1.9 an enum default stands in for every writer symbol the reader does not know.
        if (missing.Count == 0 || (reader.Default is { } fallback && reader.Contains(fallback)))
        {
            return None;
        }

        return [Finding.At(
            SchemaIncompatibilityKinds.MissingEnumSymbols,
            $"Reader enum '{reader.Fullname}' lacks writer symbols [{string.Join(", ", missing)}] and has no default symbol.",
            "symbols")];
    }

    private Finding[] CheckFields(RecordSchema reader, RecordSchema writer)
    {
        var findings = new List<Finding>();
        foreach (var readerField in reader.Fields)
        {
            var position = readerField.Pos.ToString(CultureInfo.InvariantCulture);
            var writerField = WriterFieldFor(writer, readerField);
            if (writerField is null)
            {
                // Field.DefaultValue is null only when the JSON has no "default"; "default": null is a JSON null token.
                if (readerField.DefaultValue is null)
                {
                    findings.Add(Finding.At(
                        SchemaIncompatibilityKinds.ReaderFieldMissingDefaultValue,
                        $"Reader field '{readerField.Name}' of record '{reader.Fullname}' has no default value, and writer record '{writer.Fullname}' has no field of that name{(readerField.Aliases is { Count: > 0 } ? " or of its aliases" : "")}.",
                        "fields",
                        position));
                }

                continue;
            }

            foreach (var finding in Check(readerField.Schema, writerField.Schema))
            {
                findings.Add(finding.Under(readerField.Name, "fields", position, "type"));
            }
        }

        return [.. findings];
    }

    /// <summary>
    /// The writer field the reader field reads: the one with the same name, else the first one named by a reader
    /// field alias. (Java throws when both, or several aliases, match; here the direct name wins.)
    /// </summary>
    private static Field? WriterFieldFor(RecordSchema writer, Field readerField)
    {
        if (writer.TryGetField(readerField.Name, out var direct))
        {
            return direct;
        }

        foreach (var alias in readerField.Aliases ?? [])
        {
            if (writer.TryGetField(alias, out var aliased))
            {
                return aliased;
            }
        }

        return null;
    }

    private static Finding[] Under(IReadOnlyList<Finding> findings, string? fieldName, params string[] tokens)
    {
        if (findings.Count == 0)
        {
            return None;
        }

        var result = new Finding[findings.Count];
        for (var i = 0; i < findings.Count; i++)
        {
            result[i] = findings[i].Under(fieldName, tokens);
        }

        return result;
    }

    /// <summary>A (reader, writer) pair compared by object identity, as Java's memo does.</summary>
    private readonly struct SchemaPair(Schema reader, Schema writer) : IEquatable<SchemaPair>
    {
        private readonly Schema _reader = reader;
        private readonly Schema _writer = writer;

        public bool Equals(SchemaPair other) =>
            ReferenceEquals(_reader, other._reader) && ReferenceEquals(_writer, other._writer);

        public override bool Equals(object? obj) => obj is SchemaPair other && Equals(other);

        public override int GetHashCode() =>
            HashCode.Combine(RuntimeHelpers.GetHashCode(_reader), RuntimeHelpers.GetHashCode(_writer));
    }
}
