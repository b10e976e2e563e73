namespace Meshwork.Diagnostics;

/// <summary>A place in a file of the mesh repository: path relative to the linted folder, 1-based line and column.</summary>
public readonly record struct SourceLocation(string File, int Line, int Column)
{
    /// <summary>The start of a file, for findings about the file as a whole.</summary>
    public static SourceLocation StartOf(string file) => new(file, 1, 1);

    public override string ToString() => $"{File}:{Line}:{Column}";
}
