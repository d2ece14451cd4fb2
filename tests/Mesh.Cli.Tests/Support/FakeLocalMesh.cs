using System.Diagnostics;
using Mesh.Cli.Local;

namespace Mesh.Cli.Tests.Support;

/// <summary>
/// A local mesh state directory as a running supervisor leaves it: <c>supervisor.pid</c> naming a live process (a
/// <c>sleep</c> this fixture starts and kills) and <c>status.json</c> listing control-0 and the nodes with the command
/// ports of real endpoints the test runs. meshctl is pointed at it with <c>--state-dir</c>.
/// </summary>
public sealed class FakeLocalMesh : IDisposable
{
    private readonly Process _supervisor;

    /// <param name="control">The control member's command port.</param>
    /// <param name="nodes">Node name → command port, in layout order.</param>
    public FakeLocalMesh(int control, params (string Name, int Port)[] nodes)
    {
        StateDir = Directory.CreateTempSubdirectory("ma-zc-state-").FullName;
        _supervisor = Process.Start(new ProcessStartInfo("sleep", "300") { UseShellExecute = false })!;
        var layout = new LocalLayout(StateDir);
        File.WriteAllText(layout.LockFile, _supervisor.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var members = new List<MemberStatus> { Member("control-0", "control", control) };
        members.AddRange(nodes.Select(n => Member(n.Name, "node", n.Port)));
        new LocalStatus(_supervisor.Id, LocalStatus.LoopbackMode, StateDir, "/tmp/manifests", $"127.0.0.1:{control}", 1, 0,
            members, [], [], [], DateTimeOffset.UtcNow).WriteAtomically(layout.Status);
    }

    public string StateDir { get; }

    private MemberStatus Member(string name, string role, int port) =>
        new(name, role, _supervisor.Id, true, 0, "up", port, null);

    public static int Port(FakeCommandEndpoint endpoint) => int.Parse(endpoint.HostPort.Split(':')[1], System.Globalization.CultureInfo.InvariantCulture);

    public void Dispose()
    {
        _supervisor.Kill();
        _supervisor.WaitForExit();
        _supervisor.Dispose();
        Directory.Delete(StateDir, recursive: true);
    }
}
