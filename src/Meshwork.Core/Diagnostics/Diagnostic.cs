namespace Meshwork.Diagnostics;

/// <summary>One finding: where, how serious, which rule, what is wrong and how to fix it.</summary>
public sealed record Diagnostic(SourceLocation Location, Severity Severity, string Rule, string Message, string? Hint)
{
    public string File => Location.File;

    public int Line => Location.Line;

    public int Column => Location.Column;

    public override string ToString() =>
        $"{Location}: {Severity.ToString().ToLowerInvariant()} {Rule}: {Message}";
}
