using Mesh.Cli.Client;
using Mesh.Control.Ambient;
using Mesh.Control.Config.Files;
using Mesh.Protocol.Admin;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mesh.Cli.Commands.Authz;

/// <summary>Where <c>x authz check</c> gets the mesh state: a manifest directory (offline) or a control member (online).</summary>
internal static class StateLoader
{
    /// <summary>
    /// Parses <paramref name="directory"/> with the control plane's manifest source and computes the state as a control
    /// member would (default cluster settings, <paramref name="rootNamespace"/>). Broken files are reported on
    /// <paramref name="error"/> and left out, as the control plane does.
    /// </summary>
    public static ConfigStateView Offline(string directory, string rootNamespace, TextWriter error)
    {
        if (!Directory.Exists(directory))
            throw new UsageException($"-f: manifest directory '{directory}' does not exist");
        using var source = new ManifestDirectorySource(directory, ManifestSourceOptions.Default, NullLogger.Instance);
        var snapshot = source.Reload();
        foreach (var e in snapshot.Errors)
            error.WriteLine($"meshctl: warning: {e.Message}");
        var options = new AmbientOptions { RootNamespace = rootNamespace };
        var state = MeshStateComputer.Compute(snapshot.Set, options);
        return new ConfigStateView(options.RootNamespace, options.TrustDomain, state.Workloads, state.Services, state.Policies, state.Warnings);
    }

    /// <summary>The state a running control member computed (<see cref="AdminRoutes.ConfigState"/>).</summary>
    public static async Task<ConfigStateView> OnlineAsync(AdminClient client, CancellationToken ct)
    {
        try
        {
            return await client.GetAsync<ConfigStateView>(AdminRoutes.ConfigState, ct);
        }
        catch (AdminHttpException e) when (e.StatusCode == 404)
        {
            throw new UsageException($"{client.Endpoint} serves no mesh state (is it a control member?); " +
                                     "point meshctl at a control member's command endpoint or use -f MANIFEST_DIR");
        }
    }
}
