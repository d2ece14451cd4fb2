using System.Globalization;

namespace Mesh.Cli.Local;

/// <summary>
/// <c>supervisor.pid</c>: exists while a supervisor runs. Taken with create-new, so two supervisors cannot both win;
/// a file left by a dead process is stale and taken over.
/// </summary>
public sealed class LockFile : IDisposable
{
    private readonly string _path;

    private LockFile(string path) => _path = path;

    public static LockFile Acquire(string path)
    {
        for (var attempt = 0; attempt < 2; attempt++)
        {
            try
            {
                using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write);
                using var writer = new StreamWriter(stream);
                writer.Write(Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
                return new LockFile(path);
            }
            catch (IOException) when (File.Exists(path))
            {
                if (RunningPid(path) is { } pid) throw new LocalModeException($"a local mesh is already running (supervisor pid {pid}); run 'meshctl local down' first");
                File.Delete(path);
            }
        }
        throw new LocalModeException($"could not take the lock {path}");
    }

    /// <summary>The pid in the lock file if that process is still alive.</summary>
    public static int? RunningPid(string path)
    {
        try
        {
            return int.TryParse(File.ReadAllText(path).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                   && pid != Environment.ProcessId && Posix.IsAlive(pid) ? pid : null;
        }
        catch (IOException) { return null; }
    }

    public void Dispose()
    {
        try { File.Delete(_path); } catch (IOException) { }
    }
}
