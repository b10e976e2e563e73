namespace Meshwork.Diagnostics;

/// <summary>
/// A lint rule: a stable id (never renamed once released, since CI configurations and SARIF baselines
/// refer to it), its default severity, a one-line title and a default hint.
/// </summary>
public sealed record DiagnosticRule(string Id, Severity Severity, string Category, string Title, string Hint);
