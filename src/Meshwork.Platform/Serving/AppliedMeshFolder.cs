using System.Security.Cryptography;
using System.Text;
using Meshwork.Loading;
using Meshwork.Platform.Store;

namespace Meshwork.Platform.Serving;

/// <summary>
/// Writes an applied mesh's files from the store into the data folder's <c>applied/</c>, one folder per apply, so
/// that the loader reads them and a run's transforms are files as they were in the repository.
/// Written once (staged, then renamed into place): processes sharing the data folder share the folder.
/// </summary>
public static class AppliedMeshFolder
{
    public const string FolderName = "applied";

    private const string Complete = ".complete";

    /// <summary>A folder of an older apply is removed this long after it was written (a run of a replica still on it has finished).</summary>
    private static readonly TimeSpan KeptFor = TimeSpan.FromHours(1);

    /// <summary>The folder holding <paramref name="mesh"/>'s files, written now unless already there.</summary>
    /// <exception cref="MeshworkException">A file's content does not have its recorded hash, or the folder cannot be written.</exception>
    public static string Materialize(AppliedMesh mesh, string dataFolder, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(mesh);
        var parent = Path.Combine(dataFolder, FolderName);
        var folder = Path.Combine(parent, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(mesh.Stamp)))[..16]);
        if (File.Exists(Path.Combine(folder, Complete)))
        {
            return folder;
        }

        if (mesh.Files.FirstOrDefault(f => !f.IsIntact) is { } damaged)
        {
            throw new MeshworkException($"The applied mesh's file '{damaged.Path}' is damaged in the metadata store (its content does not match its hash); run 'mesh apply' again.");
        }

        var staging = folder + ".tmp-" + Guid.NewGuid().ToString("N");
        try
        {
            foreach (var file in mesh.Files)
            {
                var path = Path.GetFullPath(Path.Combine(staging, file.Path));
                if (!path.StartsWith(staging + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                {
                    throw new MeshworkException($"The applied mesh names a file outside its folder ('{file.Path}'); run 'mesh apply' again.");
                }

                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                File.WriteAllBytes(path, file.Content);
            }

            File.WriteAllText(Path.Combine(staging, Complete), mesh.Stamp);
            try
            {
                Directory.Move(staging, folder);
            }
            catch (IOException) when (File.Exists(Path.Combine(folder, Complete)))
            {
                // Another process wrote the same apply first: theirs is the same files.
                Directory.Delete(staging, recursive: true);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(staging);
            throw new MeshworkException($"The applied mesh cannot be written to '{parent}': {e.Message} Give a data folder this user can write (--data DIR).", e);
        }
        catch
        {
            TryDelete(staging);
            throw;
        }

        RemoveOlder(parent, folder, time);
        return folder;
    }

    /// <summary>Removes the folders of older applies (and staging left by a crash) written more than <see cref="KeptFor"/> ago.</summary>
    private static void RemoveOlder(string parent, string current, TimeProvider time)
    {
        foreach (var folder in Directory.EnumerateDirectories(parent).Where(f => f != current))
        {
            if (time.GetUtcNow().UtcDateTime - Directory.GetLastWriteTimeUtc(folder) > KeptFor)
            {
                TryDelete(folder);
            }
        }
    }

    private static void TryDelete(string folder)
    {
        try
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Left for the next apply's clean-up.
        }
    }
}
