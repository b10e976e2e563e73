namespace Meshwork.Schemas;

/// <summary>
/// One change between two versions of a schema, classified as compatible or not, the way the Confluent schema
/// registry's JSON Schema and Protobuf checkers report their <c>Difference</c>s.
/// </summary>
/// <param name="Kind">The change, named after Confluent's <c>Difference.Type</c> in PascalCase (e.g. <c>TypeNarrowed</c>).</param>
/// <param name="Location">A JSON-pointer-like path to the change (e.g. <c>/properties/age/minimum</c>); <c>/</c> is the root.</param>
/// <param name="Compatible">Whether data written with the old version stays readable with the new one despite this change.</param>
/// <param name="Message">What changed and why that matters.</param>
public sealed record SchemaDifference(string Kind, string Location, bool Compatible, string Message)
{
    public SchemaIncompatibility ToIncompatibility() => new(Kind, Location, Message);
}
