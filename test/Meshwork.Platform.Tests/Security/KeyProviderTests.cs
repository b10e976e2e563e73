using System.Security.Cryptography;
using Meshwork.Loading;
using Meshwork.Platform.Security;

namespace Meshwork.Platform.Tests.Security;

public sealed class KeyProviderTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "meshwork-keys-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public void Key_NothingConfigured_IsCreatedOnceInTheDataFolderForItsOwnerOnly()
    {
        var keys = new KeyProvider(environment: _ => null);

        var first = keys.Key(PlatformKey.MaskHash, _folder);
        var again = keys.Key(PlatformKey.MaskHash, _folder);

        Assert.Equal(32, first.Length);
        Assert.Equal(first, again);
        var file = Path.Combine(_folder, "keys", "mask-hash.key");
        Assert.Equal(first, File.ReadAllBytes(file));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        }

        Assert.NotEqual(first, keys.Key(PlatformKey.TokenSigning, _folder));
    }

    [Fact]
    public void Key_FromTheEnvironment_WinsOverTheDataFolder_AndTwoReplicasShareTokens()
    {
        var secret = RandomNumberGenerator.GetBytes(32);
        var keys = new KeyProvider(environment: name => name == "MESHWORK_TOKEN_SIGNING_KEY" ? Convert.ToBase64String(secret) : null);

        Assert.Equal(secret, keys.Key(PlatformKey.TokenSigning, _folder));
        Assert.False(File.Exists(Path.Combine(_folder, "keys", "token-signing.key")));
        // Two replicas with data folders of their own sign with the same key: each accepts the other's tokens.
        var one = TokenService.Open(keys, Path.Combine(_folder, "one"), TimeProvider.System);
        var two = TokenService.Open(keys, Path.Combine(_folder, "two"), TimeProvider.System);
        Assert.Equal(one.SigningKey.KeyId, two.SigningKey.KeyId);
    }

    [Theory]
    [InlineData("not base64!", "is not base64")]
    [InlineData("c2hvcnQ=", "has 5 bytes")]
    public void Key_FromABadEnvironmentVariable_IsRefusedNamingIt(string value, string reason)
    {
        var keys = new KeyProvider(environment: name => name == "MESHWORK_MASK_HASH_KEY" ? value : null);

        var error = Assert.Throws<MeshworkException>(() => keys.Key(PlatformKey.MaskHash, _folder));

        Assert.Contains("MESHWORK_MASK_HASH_KEY", error.Message, StringComparison.Ordinal);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Key_FromASecretsFolder_IsReadThere_AndAMissingOneIsNamed()
    {
        var secrets = Directory.CreateDirectory(Path.Combine(_folder, "secrets")).FullName;
        var secret = RandomNumberGenerator.GetBytes(48);
        File.WriteAllBytes(Path.Combine(secrets, "mask-hash.key"), secret);
        var keys = new KeyProvider(environment: name => name == KeyProvider.SecretsVariable ? secrets : null);

        Assert.Equal(secret, keys.Key(PlatformKey.MaskHash, _folder));
        var missing = Assert.Throws<MeshworkException>(() => keys.Key(PlatformKey.TokenSigning, _folder));
        Assert.Contains(secrets, missing.Message, StringComparison.Ordinal);
        Assert.Contains("token-signing.key", missing.Message, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }
}
