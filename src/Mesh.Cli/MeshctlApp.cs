using System.CommandLine;
using Mesh.Cli.Commands;
using Mesh.Cli.Commands.Authz;
using Mesh.Cli.Commands.Cluster;
using Mesh.Cli.Commands.Config;
using Mesh.Cli.Commands.Local;
using Mesh.Cli.Commands.Sharding;
using Mesh.Cli.Commands.Waypoint;
using Mesh.Cli.Commands.ZtunnelConfig;

namespace Mesh.Cli;

/// <summary>Builds and runs the meshctl command tree; writers and environment are injected so tests run it in-process.</summary>
public static class MeshctlApp
{
    public static RootCommand Build(TextWriter stdout, TextWriter stderr, Func<string, string?>? getEnvironment = null,
        Func<HttpMessageHandler>? handlerFactory = null, TimeSpan? requestTimeout = null)
    {
        var context = new CommandContext(stdout, stderr, getEnvironment ?? Environment.GetEnvironmentVariable, handlerFactory, requestTimeout);
        var root = new RootCommand("meshctl: command-line client for MeshActors members' command endpoints (like pbm)")
        {
            context.EndpointArgument,
            context.EndpointOption,
            context.OutputOption,
            ClusterCommands.Build(context),
            ShardingCommands.Build(context),
            ZtunnelConfigCommands.Build(context),
            ConfigCommands.Build(context),
            WaypointCommands.Build(context),
            LocalCommands.Build(context, getEnvironment ?? Environment.GetEnvironmentVariable),
            new Command("x", "Experimental commands") { AuthzCommands.Build(context) },
        };
        return root;
    }

    /// <summary>
    /// Parses and invokes. Ctrl-C handling is the caller's (<paramref name="ct"/>): System.CommandLine's own handler is off
    /// because it would force exit 130 even when a verb (tail) treats Ctrl-C as a normal end.
    /// </summary>
    public static Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr,
        Func<string, string?>? getEnvironment = null, CancellationToken ct = default,
        Func<HttpMessageHandler>? handlerFactory = null, TimeSpan? requestTimeout = null)
    {
        var root = Build(stdout, stderr, getEnvironment, handlerFactory, requestTimeout);
        var invocation = new InvocationConfiguration
        {
            Output = stdout,
            Error = stderr,
            ProcessTerminationTimeout = null,
            // Our actions catch everything themselves; this stays on only as a backstop.
            EnableDefaultExceptionHandler = true,
        };
        return root.Parse(args).InvokeAsync(invocation, ct);
    }
}
