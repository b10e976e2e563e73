namespace Meshwork.Schemas;

/// <summary>
/// One reason why data written with one schema cannot be read with another.
/// </summary>
/// <param name="Kind">One of <see cref="SchemaIncompatibilityKinds"/>.</param>
/// <param name="Location">
/// A JSON-pointer-like path into the reader schema's JSON where the problem was found, for example
/// <c>/fields/2/type/items</c>; <c>/</c> is the reader schema itself.
/// </param>
/// <param name="Message">What is wrong, naming the field and the types involved.</param>
public sealed record SchemaIncompatibility(string Kind, string Location, string Message);
