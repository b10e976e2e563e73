namespace Meshwork.Platform.Serving;

/// <summary>What went wrong serving a request, in terms every port (HTTP, CLI) can map to its own.</summary>
public enum ServingError
{
    NotFound,
    Forbidden,
    BadRequest,
    LimitExceeded,
    Conflict,

    /// <summary>Too many reads at once (in all or of this caller): retry later.</summary>
    TooManyRequests,

    /// <summary>The platform could not do what was asked through no fault of the caller (e.g. a damaged snapshot).</summary>
    Failed,
}

/// <summary>A request the platform cannot serve; the message is safe to show the caller.</summary>
public sealed class ServingException : Exception
{
    public ServingException()
    {
    }

    public ServingException(string message)
        : base(message)
    {
    }

    public ServingException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public ServingException(ServingError error, string message, Exception? innerException = null)
        : base(message, innerException) => Error = error;

    public ServingError Error { get; } = ServingError.BadRequest;
}
