using System.Net;
using Akka.Hosting;
using Mesh.Hosting.Admin;
using Mesh.Hosting.Cluster;
using Mesh.Hosting.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Mesh.Hosting;

/// <summary>
/// The composition every executable shares: configuration, one-line console logs, the Akka cluster member
/// and the loopback command endpoint. Each Program.cs adds its role's actors and routes.
/// </summary>
public static class MeshHost
{
    /// <summary>
    /// Options for every web host a member builds (its command endpoint; the ztunnel's 15000/15020/15021). The content
    /// root is the install directory, not the working directory, and config files are read once: a host started from
    /// "/" (a container's default WORKDIR; the local supervisor) otherwise watches the whole file system for
    /// appsettings.json changes — ~40,000 inotify watches and seconds of CPU per host, which a restarted ztunnel spends
    /// while its pods have no proxy.
    /// </summary>
    public static WebApplicationOptions WebOptions(string[] args) => new()
    {
        Args = [.. args, "--hostBuilder:reloadConfigOnChange=false"],
        ContentRootPath = AppContext.BaseDirectory,
    };

    public static (WebApplicationBuilder Builder, MeshMemberOptions Options) CreateBuilder(
        string[] args, string role, Action<AkkaConfigurationBuilder, IServiceProvider, MeshMemberOptions> configureAkka)
    {
        var builder = WebApplication.CreateSlimBuilder(WebOptions(args));
        var options = new MeshMemberOptions();
        builder.Configuration.GetSection(MeshMemberOptions.Section).Bind(options);
        options.Name ??= Environment.MachineName;
        builder.Services.AddSingleton(options);

        builder.Logging.ClearProviders();
        // Request-level ASP.NET logs would drown the mesh's own lines (meshctl polls the command endpoint).
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss.fff ";
        });

        builder.WebHost.UseKestrel(k =>
        {
            if (options.AdminPort > 0)
                k.Listen(IPAddress.Parse(options.AdminBind), options.AdminPort);
        });

        builder.Services.AddAkka(options.SystemName, (akka, sp) =>
        {
            akka.ConfigureLoggers(l =>
            {
                l.ClearLoggers();
                l.AddLoggerFactory();
            });
            akka.WithMeshCluster(options, role).WithMeshSerializer();
            configureAkka(akka, sp, options);
        });
        return (builder, options);
    }

    /// <summary>
    /// The one-line reason when start-up failed because of a setting — a value the binder cannot convert (it names
    /// the key) or one a validator refused — else null. Executables print it and exit 2 instead of crashing.
    /// </summary>
    public static string? BadSetting(Exception error) => error switch
    {
        OptionsValidationException invalid => string.Join("; ", invalid.Failures),
        InvalidOperationException when error.Message.StartsWith("Failed to convert configuration value", StringComparison.Ordinal) =>
            error.Message,
        _ => null,
    };

    /// <summary>Maps the common cluster verbs; call after <c>Build()</c>.</summary>
    public static WebApplication MapMeshCommands(this WebApplication app)
    {
        app.MapClusterCommands();
        return app;
    }
}
