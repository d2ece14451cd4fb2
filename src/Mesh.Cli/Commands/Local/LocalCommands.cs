using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Mesh.Cli.Local;
using Mesh.Cli.Local.Network;
using Mesh.Cli.Local.Supervisor;
using Mesh.Cli.Output;
using Mesh.Protocol.Admin;

namespace Mesh.Cli.Commands.Local;

/// <summary><c>meshctl local up|down|status|exec</c>: a whole mesh on this machine, pods as network namespaces.</summary>
public static class LocalCommands
{
    public static Command Build(CommandContext context, Func<string, string?> getEnvironment)
    {
        var shared = new LocalOptions(getEnvironment);
        var local = new Command("local", "Run a local mesh on this machine: pods as network namespaces (root) or loopback addresses");
        local.Subcommands.Add(Up(context, shared));
        local.Subcommands.Add(Down(context, shared));
        local.Subcommands.Add(Status(context, shared));
        local.Subcommands.Add(Exec(context, shared));
        local.Subcommands.Add(Supervise(context, shared));
        return local;
    }

    private sealed record UpOptions(Option<string> File, Option<int> Nodes, Option<bool> Foreground, Option<string?> BinDir,
        Option<int> RemotingPort, Option<int> AdminPort, Option<int> Timeout, Option<int> SocksPort, Option<int> ZtunnelPort);

    private static UpOptions NewUpOptions() => new(
        new Option<string>("--file", "-f") { Description = "Directory of Kubernetes YAML (watched for changes)", HelpName = "DIR", Required = true },
        new Option<int>("--nodes") { Description = "Number of nodes (one ztunnel member and one bridge each)", DefaultValueFactory = _ => 2 },
        new Option<bool>("--foreground") { Description = "Run the supervisor in this terminal with live logs; Ctrl-C stops the mesh" },
        new Option<string?>("--bin-dir") { Description = $"Where mesh-control.dll, mesh-node.dll and mesh-echo.dll are (default ${Binaries.EnvironmentVariable}, next to meshctl, or this checkout's build)", HelpName = "DIR" },
        new Option<int>("--remoting-port") { Description = "Akka remoting port of the control; node i uses it + 1 + i", DefaultValueFactory = _ => LocalSettings.DefaultRemotingBase },
        new Option<int>("--admin-port") { Description = "Command endpoint port of the control; node i uses it + 1 + i", DefaultValueFactory = _ => LocalSettings.DefaultAdminBase },
        new Option<int>("--timeout") { Description = "Seconds to wait for members Up and pods Ready", DefaultValueFactory = _ => 120 },
        new Option<int>("--socks-port") { Description = "Without root: node i's ztunnel serves SOCKS5 on 127.0.0.1 at this port + i", DefaultValueFactory = _ => LocalSettings.DefaultSocksBase },
        new Option<int>("--ztunnel-port") { Description = $"Node i's ztunnel admin/stats/readiness ports: this + {LocalSettings.ZtunnelStride}·i, plus 0/20/21 (node 0: 15000/15020/15021)", DefaultValueFactory = _ => LocalSettings.DefaultZtunnelBase });

    private static void AddTo(Command command, UpOptions o, LocalOptions shared)
    {
        foreach (var option in new Option[] { o.File, o.Nodes, o.BinDir, o.RemotingPort, o.AdminPort, o.SocksPort, o.ZtunnelPort, shared.StateDir }) command.Options.Add(option);
    }

    private static Command Up(CommandContext context, LocalOptions shared)
    {
        var o = NewUpOptions();
        var up = new Command("up", "Start a local mesh from a directory of manifests and wait until it is ready");
        AddTo(up, o, shared);
        up.Options.Add(o.Foreground);
        up.Options.Add(o.Timeout);
        up.SetAction((parse, ct) => Guard(context, () => UpAsync(context, parse, o, shared, ct), ct));
        return up;
    }

    private static async Task<int> UpAsync(CommandContext context, ParseResult parse, UpOptions o, LocalOptions shared, CancellationToken ct)
    {
        var layout = shared.Layout(parse);
        var manifests = Path.GetFullPath(parse.GetValue(o.File)!);
        if (!Directory.Exists(manifests)) throw new LocalModeException($"manifest directory '{manifests}' does not exist");
        var nodes = parse.GetValue(o.Nodes);
        if (nodes is < 1 or > 200) throw new LocalModeException("--nodes must be between 1 and 200");
        if (LockFile.RunningPid(layout.LockFile) is { } pid)
            throw new LocalModeException($"a local mesh is already running from {layout.StateDir} (supervisor pid {pid}); run 'meshctl local down' first");
        var root = Posix.IsRoot;
        if (!root)
            context.Error.WriteLine($"meshctl: warning: not root, so pods get loopback addresses ({LocalSettings.LoopbackPodPrefix}.x.y) and run without network namespaces; transparent capture needs root");
        var settings = new LocalSettings(manifests, nodes, layout.StateDir, parse.GetValue(o.RemotingPort), parse.GetValue(o.AdminPort),
            parse.GetValue(o.BinDir) is { } bin ? Path.GetFullPath(bin) : null, root) { SocksBase = parse.GetValue(o.SocksPort), ZtunnelBase = parse.GetValue(o.ZtunnelPort) };
        if (settings.Ports.FirstOrDefault(p => !PortProbe.IsFree(p)) is var busy and > 0)
            throw new LocalModeException($"port {busy} is already in use (choose other ports with --remoting-port/--admin-port/--socks-port/--ztunnel-port)");
        var binaries = Binaries.ForThisProcess(settings.BinDir);
        _ = binaries.Control;
        _ = binaries.Node;
        Directory.CreateDirectory(layout.Logs);
        // Leftovers of a run that crashed (everything killed) go before anything new is created.
        new Ledger(layout.Ledger).Replay(new LinuxHostResources(CommandRunner.Instance));
        var timeout = TimeSpan.FromSeconds(parse.GetValue(o.Timeout));

        if (parse.GetValue(o.Foreground))
        {
            var supervisor = new LocalSupervisor(settings, line => context.Out.WriteLine(line));
            var run = supervisor.RunAsync(ct);
            var ready = await WaitReadyAsync(layout, timeout, () => run.IsCompleted, ct);
            if (ready.Status is { } status) LocalStatusView.Summary(context.Out, status);
            else if (!ct.IsCancellationRequested) context.Error.WriteLine($"meshctl: {ready.Problem}");
            await run; // until Ctrl-C, which also cleans up
            return ExitCodes.Ok;
        }

        var child = StartDetached(settings, layout);
        var result = await WaitReadyAsync(layout, timeout, () => child.HasExited && LockFile.RunningPid(layout.LockFile) is null, ct);
        if (result.Status is null)
        {
            await LocalDown.RunAsync(layout, TimeSpan.FromSeconds(30));
            throw new LocalModeException($"{result.Problem} (logs in {layout.Logs}; nothing was left running)");
        }
        if (result.Status.ManifestErrors > 0)
        {
            // A fresh start from broken manifests is refused (as kubectl apply refuses a bad file); once running,
            // later bad edits are reported and the last good state stays in force.
            var errors = await ManifestErrorsAsync(result.Status, ct);
            await LocalDown.RunAsync(layout, TimeSpan.FromSeconds(30));
            foreach (var error in errors.Skip(1)) context.Error.WriteLine($"meshctl: {error}");
            throw new LocalModeException($"{errors.FirstOrDefault() ?? "the manifests have errors"} (nothing was left running)");
        }
        LocalStatusView.Summary(context.Out, result.Status);
        return ExitCodes.Ok;
    }

    /// <summary>`meshctl local supervise …` in its own session, output to the supervisor log, not waited for.</summary>
    private static Process StartDetached(LocalSettings settings, LocalLayout layout)
    {
        var self = Environment.ProcessPath ?? "dotnet";
        var command = new List<string> { self };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet") command.Add(typeof(LocalCommands).Assembly.Location);
        command.AddRange(["local", "supervise", "--file", settings.Manifests, "--nodes", Text(settings.Nodes), "--state-dir", settings.StateDir,
            "--remoting-port", Text(settings.RemotingBase), "--admin-port", Text(settings.AdminBase), "--socks-port", Text(settings.SocksBase),
            "--ztunnel-port", Text(settings.ZtunnelBase),
            "--netns", settings.NetworkNamespaces ? "true" : "false"]);
        if (settings.BinDir is not null) command.AddRange(["--bin-dir", settings.BinDir]);
        // setsid: a new session, so closing the terminal (SIGHUP) or Ctrl-C in it does not reach the mesh.
        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        foreach (var arg in new[] { "-c", "exec setsid \"$@\" </dev/null >>\"$0\" 2>&1", layout.SupervisorLog }.Concat(command))
            start.ArgumentList.Add(arg);
        return Process.Start(start) ?? throw new LocalModeException("could not start the supervisor");
    }

    private sealed record Readiness(LocalStatus? Status, string Problem);

    private static async Task<Readiness> WaitReadyAsync(LocalLayout layout, TimeSpan timeout, Func<bool> supervisorGone, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + timeout;
        LocalStatus? last = null;
        while (DateTime.UtcNow < deadline && !ct.IsCancellationRequested)
        {
            last = LocalStatus.TryRead(layout.Status) ?? last;
            if (last is { AllMembersUp: true, PodsSettled: true }) return new Readiness(last, "");
            if (supervisorGone())
                return new Readiness(null, $"the supervisor exited: {LastLines(layout.SupervisorLog)}");
            try { await Task.Delay(250, ct); } catch (OperationCanceledException) { break; }
        }
        if (ct.IsCancellationRequested) return new Readiness(null, "interrupted");
        return new Readiness(null, $"not ready after {timeout.TotalSeconds:0} s: {Pending(last)}");
    }

    private static string Pending(LocalStatus? status)
    {
        if (status is null) return "the supervisor wrote no status";
        var members = status.Members.Where(m => m.Cluster != "up").Select(m => $"{m.Name} {m.Cluster}");
        var pods = status.Pods.Where(p => !p.Ready && !p.Failed).Select(p => $"{p.Namespace}/{p.Name}: {p.Message}");
        var all = members.Concat(pods).ToList();
        return status.Generation == 0 ? "the control has not published pods yet" : all.Count == 0 ? "unknown" : string.Join("; ", all);
    }

    private static string LastLines(string file)
    {
        try { return string.Join(" | ", File.ReadLines(file).TakeLast(3)); }
        catch (IOException) { return "no log"; }
    }

    private static Command Supervise(CommandContext context, LocalOptions shared)
    {
        var o = NewUpOptions();
        var netns = new Option<bool>("--netns") { Description = "Pods as network namespaces (root)" };
        var supervise = new Command("supervise", "Run the local mesh supervisor (started by 'local up')") { Hidden = true };
        AddTo(supervise, o, shared);
        supervise.Options.Add(netns);
        supervise.SetAction((parse, ct) => Guard(context, async () =>
        {
            Posix.NewSession();
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
            using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
            using var hup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, c => c.Cancel = true);
            var settings = new LocalSettings(parse.GetValue(o.File)!, parse.GetValue(o.Nodes), shared.Layout(parse).StateDir,
                parse.GetValue(o.RemotingPort), parse.GetValue(o.AdminPort), parse.GetValue(o.BinDir), parse.GetValue(netns))
            { SocksBase = parse.GetValue(o.SocksPort), ZtunnelBase = parse.GetValue(o.ZtunnelPort) };
            return await new LocalSupervisor(settings, line => context.Out.WriteLine(line)).RunAsync(stop.Token);
        }, ct));
        return supervise;
    }

    private static Command Down(CommandContext context, LocalOptions shared)
    {
        var down = new Command("down", "Stop the local mesh and remove everything it created (safe to repeat)");
        down.Options.Add(shared.StateDir);
        down.SetAction((parse, ct) => Guard(context, async () =>
        {
            var layout = shared.Layout(parse);
            var (wasRunning, errors) = await LocalDown.RunAsync(layout, TimeSpan.FromSeconds(30));
            foreach (var error in errors) context.Error.WriteLine($"meshctl: cleanup: {error}");
            context.Out.WriteLine(wasRunning ? "local mesh stopped" : "no local mesh was running; leftovers (if any) removed");
            return errors.Count == 0 ? ExitCodes.Ok : ExitCodes.Failure;
        }, ct));
        return down;
    }

    private static Command Status(CommandContext context, LocalOptions shared)
    {
        var status = new Command("status", "Members, pods and services of the local mesh");
        status.Options.Add(shared.StateDir);
        status.SetAction((parse, ct) => Guard(context, async () =>
        {
            var view = Running(shared.Layout(parse));
            if (parse.GetValue(context.OutputOption) == "json") { JsonOutput.Write(context.Out, view); return ExitCodes.Ok; }
            LocalStatusView.Render(context.Out, view);
            if (view.ManifestErrors > 0) await ConfigErrorsAsync(context, view, ct);
            return ExitCodes.Ok;
        }, ct));
        return status;
    }

    private static async Task<IReadOnlyList<string>> ManifestErrorsAsync(LocalStatus view, CancellationToken ct)
    {
        try
        {
            Client.MeshEndpoint.TryParse(view.ControlEndpoint, out var endpoint, out _);
            using var client = new Client.AdminClient(endpoint);
            var config = await client.GetAsync<ConfigStatusView>(AdminRoutes.ConfigStatus, ct);
            return config.Errors.Select(e => e.Message).ToList();
        }
        catch (Client.AdminClientException)
        {
            return [];
        }
    }

    private static async Task ConfigErrorsAsync(CommandContext context, LocalStatus view, CancellationToken ct)
    {
        context.Out.WriteLine();
        try
        {
            Client.MeshEndpoint.TryParse(view.ControlEndpoint, out var endpoint, out _);
            using var client = new Client.AdminClient(endpoint);
            var config = await client.GetAsync<ConfigStatusView>(AdminRoutes.ConfigStatus, ct);
            context.Out.WriteLine($"Manifest errors ({config.Errors.Count.ToString(CultureInfo.InvariantCulture)}; the last good state is in force):");
            foreach (var error in config.Errors) context.Out.WriteLine($"  {error.Message}");
        }
        catch (Client.AdminClientException e)
        {
            context.Out.WriteLine($"{view.ManifestErrors} manifest error(s); the control did not answer ({e.Message})");
        }
    }

    private static LocalStatus Running(LocalLayout layout)
    {
        if (LockFile.RunningPid(layout.LockFile) is null)
            throw new LocalModeException($"no local mesh is running (state dir {layout.StateDir}); start one with 'meshctl local up -f DIR'");
        return LocalStatus.TryRead(layout.Status)
            ?? throw new LocalModeException($"the local mesh is starting (no status yet in {layout.StateDir})");
    }

    private static Command Exec(CommandContext context, LocalOptions shared)
    {
        var ns = new Option<string>("--namespace", "-n") { Description = "Namespace of the pod", DefaultValueFactory = _ => "default" };
        var pod = new Argument<string>("POD") { Description = "Pod to run the command in" };
        var command = new Argument<string[]>("COMMAND") { Description = "Command and arguments (after --)", Arity = ArgumentArity.OneOrMore };
        var exec = new Command("exec", "Run a command inside a pod's network namespace (stdio passed through; its exit code is returned)")
        {
            ns, pod, command, shared.StateDir,
        };
        exec.SetAction((parse, ct) => Guard(context, async () =>
        {
            var status = Running(shared.Layout(parse));
            var namespaceName = parse.GetValue(ns)!;
            var name = parse.GetValue(pod)!;
            var target = status.Pods.FirstOrDefault(p => p.Namespace == namespaceName && p.Name == name)
                ?? throw new LocalModeException($"pod {namespaceName}/{name} not found (pods: {string.Join(", ", status.Pods.Select(p => $"{p.Namespace}/{p.Name}"))})");
            var argv = parse.GetValue(command)!;
            var start = status.Mode == LocalStatus.NetnsMode
                ? new ProcessStartInfo("ip", ["netns", "exec", LocalNames.Netns(target.Namespace, target.Name), .. argv])
                : new ProcessStartInfo(argv[0], argv.Skip(1));
            start.UseShellExecute = false; // stdin/stdout/stderr are inherited untouched
            using var process = Process.Start(start) ?? throw new LocalModeException($"could not start {argv[0]}");
            await process.WaitForExitAsync(CancellationToken.None);
            return process.ExitCode;
        }, ct));
        return exec;
    }

    /// <summary>Local verbs answer every failure a user can cause with one line and exit 1.</summary>
    private static async Task<int> Guard(CommandContext context, Func<Task<int>> body, CancellationToken ct)
    {
        try { return await body(); }
        catch (LocalModeException e) { context.Error.WriteLine($"meshctl: {e.Message}"); return ExitCodes.Failure; }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { return ExitCodes.Interrupted; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.ComponentModel.Win32Exception)
        {
            context.Error.WriteLine($"meshctl: {e.Message}");
            return ExitCodes.Failure;
        }
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
