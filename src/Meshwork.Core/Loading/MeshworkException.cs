namespace Meshwork.Loading;

/// <summary>
/// A problem with what the user asked for rather than with the repository's contents (a path that is not a
/// mesh repository, a file of an unknown kind): the CLI reports it and exits with code 2.
/// </summary>
public sealed class MeshworkException : Exception
{
    public MeshworkException(string message)
        : base(message)
    {
    }

    public MeshworkException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public MeshworkException()
    {
    }
}
