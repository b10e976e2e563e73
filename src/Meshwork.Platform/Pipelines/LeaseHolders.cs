using System.Text;
using Meshwork.Platform.Store;

namespace Meshwork.Platform.Pipelines;

/// <summary>
/// This process as a holder of run leases: a random instance id, never the PID (a restarted container reuses
/// PIDs, often 1), and an exclusive OS lock on <c>.locks/&lt;instance&gt;.lock</c> in each data folder it runs
/// products in, kept open for the process's life. The kernel drops the lock when the process ends, however it
/// ends, so a process on the same machine tells at once that a holder is gone; holders on other machines are
/// known dead only when their lease lapses.
/// </summary>
public static class LeaseHolders
{
    /// <summary>The folder, inside the data folder, of the holders' lock files.</summary>
    public const string LockFolder = ".locks";

    private static readonly Dictionary<string, FileStream> Held = new(StringComparer.Ordinal);
    private static readonly Lock Gate = new();

    /// <summary>This process.</summary>
    public static LeaseHolder Current { get; } = new(Guid.NewGuid().ToString("N"), Environment.MachineName, Environment.ProcessId);

    /// <summary>The lock file of a holder instance in a data folder.</summary>
    public static string LockFile(string dataFolder, string instance) => Path.Combine(dataFolder, LockFolder, instance + ".lock");

    /// <summary>Takes this process's lock in <paramref name="dataFolder"/> (once; later calls return at once), before any lease is taken there.</summary>
    public static void Hold(string dataFolder)
    {
        var folder = Path.GetFullPath(dataFolder);
        lock (Gate)
        {
            if (Held.ContainsKey(folder))
            {
                return;
            }

            try
            {
                Directory.CreateDirectory(Path.Combine(folder, LockFolder));
                RemoveDeadLocks(folder);
                Held[folder] = OpenOwnLock(LockFile(folder, Current.Instance));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new StorageUnavailableException(
                    $"The data folder '{folder}' cannot hold this process's lock file in {LockFolder}/ ({e.Message}). Give a folder this user can write (--data DIR).", e);
            }
        }
    }

    /// <summary>
    /// Whether <paramref name="holder"/> is known to be dead: it ran on this machine and its lock file is gone or
    /// free. False when that cannot be told (another machine, a lease from before instance ids, this process).
    /// </summary>
    public static bool IsDead(string dataFolder, LeaseHolder holder)
    {
        ArgumentNullException.ThrowIfNull(holder);
        if (holder.Machine != Current.Machine || holder.Instance == Current.Instance || !IsInstanceId(holder.Instance))
        {
            return false;
        }

        var path = LockFile(dataFolder, holder.Instance);
        try
        {
            using (new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None))
            {
            }
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return true; // a holder takes its lock before any lease: no lock file, no process
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false; // locked by its living process (or unreadable: assume alive)
        }

        TryDelete(path);
        return true;
    }

    /// <summary>
    /// Creates and locks the lock file. A process clearing dead locks could open the new file between its
    /// creation and its lock and delete it; then the file this process locks is no longer there: make another.
    /// </summary>
    private static FileStream OpenOwnLock(string path)
    {
        for (var attempt = 1; ; attempt++)
        {
            FileStream stream;
            try
            {
                stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (attempt < 100)
            {
                continue; // another process is looking at it for a moment (clearing dead locks)
            }

            if (File.Exists(path))
            {
                // The machine's name lets another process on this machine clear the file once this process is gone.
                stream.Write(Encoding.UTF8.GetBytes(Current.Machine));
                stream.Flush();
                AppDomain.CurrentDomain.ProcessExit += (_, _) => TryDelete(path);
                return stream;
            }

            stream.Dispose();
        }
    }

    /// <summary>Deletes the lock files of this machine's dead processes, so that restarts do not pile them up.</summary>
    private static void RemoveDeadLocks(string folder)
    {
        foreach (var path in Directory.EnumerateFiles(Path.Combine(folder, LockFolder), "*.lock"))
        {
            try
            {
                string machine;
                using (var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None))
                using (var reader = new StreamReader(stream, Encoding.UTF8))
                {
                    machine = reader.ReadToEnd();
                }

                // Another machine's file on shared storage may be free here only because locks do not cross machines.
                if (machine.Length == 0 || machine == Current.Machine)
                {
                    TryDelete(path);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Held by a living process, or gone meanwhile.
            }
        }
    }

    private static bool IsInstanceId(string instance) => instance.Length == 32 && instance.All(char.IsAsciiHexDigitLower);

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Left for the next process that clears dead locks.
        }
    }
}
