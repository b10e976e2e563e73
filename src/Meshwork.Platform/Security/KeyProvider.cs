using Meshwork.Loading;

namespace Meshwork.Platform.Security;

/// <summary>
/// The default key provider. For each key, the first that has it wins: the environment variable
/// (<see cref="PlatformKey.EnvironmentVariable"/>, base64), the secrets folder (<c>MESHWORK_SECRETS</c>, or the
/// one given; a file <see cref="PlatformKey.FileName"/> holding the key's bytes), else the data folder's
/// <c>keys/</c>, where a key is created on first use (one process, <c>mesh up</c>).
/// </summary>
public sealed class KeyProvider : IKeyProvider
{
    /// <summary>The environment variable naming a secrets folder.</summary>
    public const string SecretsVariable = "MESHWORK_SECRETS";

    private const int MinimumBytes = 32;

    private readonly Func<string, string?> _environment;
    private readonly string? _secrets;

    /// <param name="secretsFolder">A mounted secrets folder; default: <c>MESHWORK_SECRETS</c>, if set.</param>
    /// <param name="environment">Reads an environment variable (tests give their own).</param>
    public KeyProvider(string? secretsFolder = null, Func<string, string?>? environment = null)
    {
        _environment = environment ?? Environment.GetEnvironmentVariable;
        _secrets = secretsFolder ?? (_environment(SecretsVariable) is { Length: > 0 } folder ? folder : null);
    }

    public byte[] Key(PlatformKey key, string dataFolder)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (_environment(key.EnvironmentVariable) is { Length: > 0 } encoded)
        {
            byte[] bytes;
            try
            {
                bytes = Convert.FromBase64String(encoded.Trim());
            }
            catch (FormatException)
            {
                throw new MeshworkException($"{key.EnvironmentVariable} is not base64; set it to {MinimumBytes} or more random bytes in base64 (e.g. 'openssl rand -base64 32').");
            }

            return Checked(bytes, key.EnvironmentVariable);
        }

        if (_secrets is not null)
        {
            var path = Path.Combine(_secrets, key.FileName);
            if (!File.Exists(path))
            {
                throw new MeshworkException($"The secrets folder '{_secrets}' has no '{key.FileName}'; put {MinimumBytes} or more random bytes there (e.g. 'head -c 32 /dev/urandom').");
            }

            return Checked(File.ReadAllBytes(path), path);
        }

        return KeyFile.ReadOrCreate(dataFolder, Path.Combine("keys", key.FileName));
    }

    private static byte[] Checked(byte[] key, string source) => key.Length >= MinimumBytes
        ? key
        : throw new MeshworkException($"The key in {source} has {key.Length} bytes; it needs at least {MinimumBytes}.");
}
