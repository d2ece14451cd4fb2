using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Mesh.Bench;

/// <summary>One way to carry a connection from the load generator to the sink, with the processes doing it.</summary>
internal sealed class Scenario : IDisposable
{
    private readonly List<Process> _processes = [];

    private Scenario(string name, int entryPort) { Name = name; EntryPort = entryPort; }

    public string Name { get; }
    public int EntryPort { get; }
    public IReadOnlyList<Process> Processes => _processes;

    public static Scenario Direct(int sinkPort) => new("direct TCP", sinkPort);

    public static async Task<Scenario> OurRelaysAsync(string name, string outMode, string inMode, int sinkPort, Pki pki)
    {
        var (p1, p2) = (FreePort(), FreePort());
        var s = new Scenario(name, p1);
        await s.StartOurs("relay", inMode, p2, sinkPort, pki, "b");
        await s.StartOurs("relay", outMode, p1, p2, pki, "a");
        return s;
    }

    public static async Task<Scenario> StunnelAsync(int sinkPort, Pki pki)
    {
        var (p1, p2) = (FreePort(), FreePort());
        var s = new Scenario("stunnel pair", p1);
        var common = $"foreground = yes\npid =\nCAfile = {pki.Ca}\nverifyChain = yes\nrequireCert = yes\nsslVersionMin = TLSv1.3\n";
        await s.StartTool("stunnel", Write(pki, "server.conf", common + $"[s]\naccept = 127.0.0.1:{p2}\nconnect = 127.0.0.1:{sinkPort}\ncert = {pki.Cert("b")}\nkey = {pki.Key("b")}\n"), p2);
        await s.StartTool("stunnel", Write(pki, "client.conf", common + $"[c]\nclient = yes\naccept = 127.0.0.1:{p1}\nconnect = 127.0.0.1:{p2}\ncert = {pki.Cert("a")}\nkey = {pki.Key("a")}\n"), p1);
        return s;
    }

    public static async Task<Scenario> HaproxyAsync(int sinkPort, Pki pki)
    {
        var (p1, p2) = (FreePort(), FreePort());
        var s = new Scenario("haproxy pair", p1);
        const string head = "global\n  maxconn 4000\n  ssl-default-bind-options ssl-min-ver TLSv1.3\n  ssl-default-server-options ssl-min-ver TLSv1.3\ndefaults\n  mode tcp\n  timeout connect 5s\n  timeout client 120s\n  timeout server 120s\n";
        await s.StartTool("haproxy", ["-f", Write(pki, "hb.cfg", head + $"frontend f\n  bind 127.0.0.1:{p2} ssl crt {pki.Combined("b")} ca-file {pki.Ca} verify required\n  default_backend b\nbackend b\n  server s 127.0.0.1:{sinkPort}\n")], p2);
        await s.StartTool("haproxy", ["-f", Write(pki, "ha.cfg", head + $"frontend f\n  bind 127.0.0.1:{p1}\n  default_backend b\nbackend b\n  server s 127.0.0.1:{p2} ssl crt {pki.Combined("a")} ca-file {pki.Ca} verify required\n")], p1);
        return s;
    }

    private static string Write(Pki pki, string name, string content)
    {
        var path = Path.Combine(pki.Dir, name);
        File.WriteAllText(path, content);
        return path;
    }

    private async Task StartOurs(string verb, string mode, int listen, int target, Pki pki, string who)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var arg in new[] { typeof(Scenario).Assembly.Location, verb, mode, Num(listen), Num(target), pki.Cert(who), pki.Key(who), pki.Ca })
            start.ArgumentList.Add(arg);
        var process = Process.Start(start)!;
        _processes.Add(process);
        if (await process.StandardOutput.ReadLineAsync() != "ready") throw new InvalidOperationException($"relay {mode} did not start");
        await WaitForPort(listen);
    }

    private Task StartTool(string tool, string config, int port) => StartTool(tool, [config], port);

    private async Task StartTool(string tool, string[] args, int port)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        var process = Process.Start(start)!;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _processes.Add(process);
        await WaitForPort(port);
    }

    private static async Task WaitForPort(int port)
    {
        for (var i = 0; i < 100; i++)
        {
            try
            {
                using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                await probe.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException) { await Task.Delay(50); }
        }
        throw new InvalidOperationException($"nothing listens on {port}");
    }

    /// <summary>CPU seconds (user + system) used so far by the scenario's processes.</summary>
    public double CpuSeconds() => _processes.Sum(p =>
    {
        var fields = File.ReadAllText($"/proc/{p.Id}/stat").Split(')')[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
    });

    /// <summary>Resident memory (KiB) of the scenario's processes.</summary>
    public long RssKiB() => _processes.Sum(p =>
    {
        var line = File.ReadLines($"/proc/{p.Id}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
    });

    private static int FreePort()
    {
        using var l = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        l.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)l.LocalEndPoint!).Port;
    }

    private static string Num(int n) => n.ToString(CultureInfo.InvariantCulture);

    public void Dispose()
    {
        foreach (var p in _processes)
        {
            try { p.Kill(entireProcessTree: true); p.WaitForExit(); } catch (InvalidOperationException) { }
            p.Dispose();
        }
    }
}
