using Mesh.Control.Ca;
using Mesh.Control.Hosting;
using Mesh.Control.Local;
using Mesh.Hosting;
using Mesh.Hosting.Admin;
using Mesh.Hosting.Cluster;
using Mesh.Protocol.Admin;
using Mesh.Protocol.Local;

// mesh-control: reads the mesh's configuration, computes state, holds it in cluster sharding, serves nodes.
var controlOptions = new ControlOptions();
var caOptions = new CaOptions();
WebApplicationBuilder builder;
MeshMemberOptions options;
try
{
    // Bound and checked before anything starts (the Akka set-up below reads controlOptions only once the host runs).
    (builder, options) = MeshHost.CreateBuilder(args, MeshRoles.Control, (akka, sp, _) => akka.WithMeshState(controlOptions).WithCa(sp));
    builder.Configuration.GetSection(ControlOptions.Section).Bind(controlOptions);
    controlOptions.Validate();
    builder.Configuration.GetSection(CaOptions.Section).Bind(caOptions);
}
catch (Exception e) when (MeshHost.BadSetting(e) is { } why)
{
    Console.Error.WriteLine($"mesh-control: invalid configuration: {why}");
    return 2;
}
caOptions.TrustDomain = controlOptions.TrustDomain;
caOptions.StateDir ??= CaHosting.DefaultStateDir();

if (string.IsNullOrWhiteSpace(controlOptions.Manifests))
{
    Console.Error.WriteLine("mesh-control: no configuration source; pass --Mesh:Control:Manifests=DIR (a directory of Kubernetes YAML)");
    return 2;
}
if (!Directory.Exists(controlOptions.Manifests))
{
    Console.Error.WriteLine($"mesh-control: manifest directory '{controlOptions.Manifests}' does not exist");
    return 2;
}

CertificateAuthority ca;
try
{
    using var startupLog = LoggerFactory.Create(l => l.AddSimpleConsole(o => o.SingleLine = true));
    ca = CertificateAuthority.LoadOrCreate(caOptions, startupLog.CreateLogger<CertificateAuthority>());
}
catch (CaException e)
{
    Console.Error.WriteLine($"mesh-control: certificate authority: {e.Message}");
    return 2;
}

builder.Services.AddSingleton(ca);
builder.Services.AddSingleton(controlOptions);
builder.Services.AddSingleton<LocalDesiredFeed>();
builder.Services.AddSingleton<ConfigPipeline>();
builder.Services.AddHostedService(sp => sp.GetRequiredService<ConfigPipeline>());

var app = builder.Build();
app.MapMeshCommands();
app.MapGet(AdminRoutes.ConfigStatus, (ConfigPipeline pipeline) => AdminEndpoints.Json(pipeline.Status()));
app.MapGet(AdminRoutes.ConfigState, (ConfigPipeline pipeline) => AdminEndpoints.Json(pipeline.StateView()));
app.MapGet(AdminRoutes.Waypoints, (ConfigPipeline pipeline) => AdminEndpoints.Json(pipeline.Waypoints()));
app.MapGet(Routes.Desired, (LocalDesiredFeed feed) => AdminEndpoints.Json(feed.Current));
app.MapGet(Routes.DesiredWatch, LocalDesiredEndpoints.WatchAsync);
app.Logger.LogInformation("mesh-control {Name} starting: remoting {Host}:{Port}, command endpoint {Bind}:{AdminPort}, manifests {Dir}",
    options.Name, options.Hostname, options.Port, options.AdminBind, options.AdminPort, controlOptions.Manifests);
await app.RunAsync();
return 0;
