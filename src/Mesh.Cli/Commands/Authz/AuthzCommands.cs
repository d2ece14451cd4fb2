using System.CommandLine;
using Mesh.Cli.Output;
using Mesh.Protocol.Authz;

namespace Mesh.Cli.Commands.Authz;

/// <summary>
/// <c>meshctl x authz check --from SRC --to DST [--port N] [-f MANIFEST_DIR] [HOST:PORT]</c>: would the L4 policies
/// (AuthorizationPolicy + PeerAuthentication, as the ztunnel enforces them) admit this connection, and why.
/// Offline with <c>-f</c> (the control plane's own parser and state computation), else against a control member.
/// Exit 0 whenever a decision was made, ALLOW or DENY; 1 for bad input.
/// </summary>
public static class AuthzCommands
{
    public static Command Build(CommandContext context)
    {
        var authz = new Command("authz", "Authorization policy tools");
        authz.Subcommands.Add(Check(context));
        return authz;
    }

    private static Command Check(CommandContext context)
    {
        var from = new Option<string>("--from")
        {
            Description = "Source: ns/pod (its identity if enrolled, else plaintext), SPIFFE-ID@IP, or an IP (plaintext)",
            HelpName = "ns/pod|spiffe-id@ip|ip",
            Required = true,
        };
        var to = new Option<string>("--to")
        {
            Description = "Destination: ns/pod (with --port), svc.ns:PORT, a service hostname:PORT, or IP:PORT (pod or service VIP)",
            HelpName = "ns/pod|svc.ns:port|ip:port",
            Required = true,
        };
        var port = new Option<int?>("--port") { Description = "Destination port (service port for a service)", HelpName = "N" };
        port.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int?>() is { } p && p is < 1 or > 65535) r.AddError($"--port {p} is not a port (1-65535)");
        });
        var file = new Option<string?>("--file", "-f") { Description = "Evaluate offline against a directory of manifests", HelpName = "MANIFEST_DIR" };
        var rootNamespace = new Option<string>("--root-namespace")
        {
            Description = "Root namespace for -f (online, the control member's setting is used)",
            DefaultValueFactory = _ => PolicyIndex.DefaultRootNamespace,
        };

        var check = new Command("check", "Decide whether a connection is allowed by L4 policy, and explain why") { from, to, port, file, rootNamespace };
        context.AddTrailingEndpoint(check);
        context.SetAction(check, async (inv, ct) =>
        {
            var directory = inv.Parse.GetValue(file);
            var state = directory is not null
                ? StateLoader.Offline(directory, inv.Parse.GetValue(rootNamespace)!, inv.Error)
                : await StateLoader.OnlineAsync(inv.Client, ct);
            var label = directory is not null ? $"manifests in {Path.GetFullPath(directory)} (offline)" : $"control member {inv.Client.Endpoint}";
            var view = AuthzCheck.Run(state, label, inv.Parse.GetRequiredValue(from), inv.Parse.GetRequiredValue(to), inv.Parse.GetValue(port));
            if (inv.Format == OutputFormat.Json) JsonOutput.Write(inv.Out, view);
            else AuthzRenderer.Render(inv.Out, view);
            return ExitCodes.Ok;
        });
        return check;
    }
}
