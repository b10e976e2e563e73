namespace Meshwork.Diagnostics;

/// <summary>How serious a finding is. Errors fail <c>mesh lint</c>; warnings fail it only with <c>--strict</c>.</summary>
public enum Severity
{
    Info,
    Warning,
    Error,
}
