namespace Meshwork.Schemas;

/// <summary>A change a checker found: its kind and its path (a JSON pointer, <c>""</c> for the root).</summary>
internal sealed record Change(string Kind, string Path);
