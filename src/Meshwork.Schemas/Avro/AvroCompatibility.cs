using Avro;

namespace Meshwork.Schemas.Avro;

/// <summary>
/// Avro reader/writer compatibility: the "Schema Resolution" section of the Avro 1.12 specification, decided
/// the way Apache Avro's Java <c>SchemaCompatibility</c> decides it.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Promotions: int to long, float or double; long to float or double; float to double; string to bytes and bytes to string.</item>
/// <item>Records, enums and fixeds match by unqualified name, or when a reader alias (qualified against the
/// reader's namespace) is the writer's full name. Fixeds must also have the same size.</item>
/// <item>Record fields match by name or by a reader field alias; a reader field the writer lacks needs a default;
/// writer fields the reader lacks are skipped.</item>
/// <item>Every writer enum symbol must be a reader symbol, unless the reader enum has a default symbol.</item>
/// <item>A writer union needs every branch readable; a reader union needs one branch that reads the writer.</item>
/// <item>Logical types are checked as their underlying type, as Java does.</item>
/// <item>Recursive schemas terminate: a (reader, writer) pair already being checked counts as compatible.</item>
/// </list>
/// </remarks>
public static class AvroCompatibility
{
    /// <summary>
    /// Lists why data written with <paramref name="writer"/> cannot be read with <paramref name="reader"/>;
    /// an empty list means it always can.
    /// </summary>
    public static IReadOnlyList<SchemaIncompatibility> CanRead(Schema reader, Schema writer)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(writer);

        var findings = new ResolutionChecker().Check(reader, writer);
        var result = new SchemaIncompatibility[findings.Count];
        for (var i = 0; i < findings.Count; i++)
        {
            result[i] = findings[i].ToIncompatibility();
        }

        return result;
    }
}
