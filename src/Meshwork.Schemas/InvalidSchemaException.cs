namespace Meshwork.Schemas;

/// <summary>A schema text that cannot be parsed, naming where (<see cref="Location"/>) and why.</summary>
public sealed class InvalidSchemaException : Exception
{
    public InvalidSchemaException()
    {
    }

    public InvalidSchemaException(string message)
        : base(message)
    {
    }

    public InvalidSchemaException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public InvalidSchemaException(string type, string location, string reason, Exception? innerException = null)
        : base($"Invalid {type} schema at {location}: {reason}", innerException)
    {
        Location = location;
        Reason = reason;
    }

    /// <summary>Where the problem is: a JSON pointer, or <c>line L, column C</c> of a file.</summary>
    public string Location { get; } = string.Empty;

    /// <summary>What is wrong there.</summary>
    public string Reason { get; } = string.Empty;
}
