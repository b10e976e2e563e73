using System.Security.Cryptography;

namespace Meshwork.Platform.Security;

/// <summary>Secret keys kept in the data folder (the default of <see cref="KeyProvider"/>): 32 random bytes, created once, readable by their owner only.</summary>
public static class KeyFile
{
    public static byte[] ReadOrCreate(string dataFolder, string relativePath)
    {
        var path = Path.Combine(dataFolder, relativePath);
        if (!File.Exists(path))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var staging = path + "." + Guid.NewGuid().ToString("N");
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            using (var stream = new FileStream(staging, options))
            {
                stream.Write(RandomNumberGenerator.GetBytes(32));
            }

            // Two processes creating the key at once: the first rename wins and both use its key.
            try
            {
                File.Move(staging, path, overwrite: false);
            }
            catch (IOException) when (File.Exists(path))
            {
                File.Delete(staging);
            }
        }

        var key = File.ReadAllBytes(path);
        return key.Length >= 32
            ? key
            : throw new InvalidOperationException($"The key '{path}' is shorter than 32 bytes; delete it to have a new one made.");
    }
}
