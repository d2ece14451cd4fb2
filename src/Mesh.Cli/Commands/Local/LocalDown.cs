using Mesh.Cli.Local;
using Mesh.Cli.Local.Network;

namespace Mesh.Cli.Commands.Local;

/// <summary>Stops a local mesh: SIGTERM the supervisor (it stops children and cleans up), then replay whatever is left in the ledger.</summary>
internal static class LocalDown
{
    public static async Task<(bool WasRunning, IReadOnlyList<string> Errors)> RunAsync(LocalLayout layout, TimeSpan grace)
    {
        var pid = LockFile.RunningPid(layout.LockFile);
        if (pid is { } running)
        {
            Posix.Signal(running, Posix.SIGTERM);
            var deadline = DateTime.UtcNow + grace;
            while (Posix.IsAlive(running) && DateTime.UtcNow < deadline) await Task.Delay(100);
            if (Posix.IsAlive(running)) Posix.Signal(running, Posix.SIGKILL);
        }
        // Safe if the supervisor already replayed it (the file is gone) or died before it could.
        var errors = new Ledger(layout.Ledger).Replay(new LinuxHostResources(CommandRunner.Instance));
        if (LockFile.RunningPid(layout.LockFile) is null)
        {
            TryDelete(layout.LockFile);
            TryDelete(layout.Status);
            TryDelete(layout.ZdsSocket);
            // The ztunnels' last known state belongs to this mesh; a later `up` (maybe other manifests) starts clean.
            try { if (Directory.Exists(layout.NodesDir)) Directory.Delete(layout.NodesDir, recursive: true); }
            catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
        return (pid is not null, errors);
    }

    private static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
