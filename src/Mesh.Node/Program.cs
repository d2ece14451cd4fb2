using Mesh.Hosting;
using Mesh.Hosting.Cluster;
using Mesh.Node.Admin;
using Mesh.Node.Hosting;
using Microsoft.Extensions.Options;

// mesh-node: the ztunnel. Joins the cluster, keeps its node's view of the mesh state, and carries the traffic of the
// pods its node agent hands over (ZDS). The composition is in Hosting/ZtunnelHosting.cs.
var (builder, member) = MeshHost.CreateBuilder(args, MeshRoles.Node, (akka, services, _) => akka.WithZtunnel(services));
builder.Services.AddZtunnel(builder.Configuration);

var app = builder.Build();
app.MapMeshCommands();
app.MapNodeCommands();
try
{
    await app.StartAsync();
}
catch (OptionsValidationException e)
{
    Console.Error.WriteLine($"mesh-node: invalid configuration: {string.Join("; ", e.Failures)}");
    return 2;
}
catch (InvalidOperationException e) when (e.Message.StartsWith("Failed to convert configuration value", StringComparison.Ordinal))
{
    // A value that does not parse (e.g. "abc" for a TimeSpan): the binder names the key.
    Console.Error.WriteLine($"mesh-node: invalid configuration: {e.Message}");
    return 2;
}
var node = app.Services.GetRequiredService<IOptions<NodeOptions>>().Value;
app.Logger.LogInformation("mesh-node {Node} started: remoting {Host}:{Port}, command endpoint {Bind}:{AdminPort}, ZDS {Zds}",
    member.Name, member.Hostname, member.Port, member.AdminBind, member.AdminPort, node.ZdsSocket ?? "(none)");
await app.WaitForShutdownAsync();
return 0;
