using Mesh.Hosting;
using Mesh.Hosting.Cluster;

// mesh-waypoint: the L7 proxy. For now a cluster member with the common command endpoint; routing arrives later.
var (builder, options) = MeshHost.CreateBuilder(args, MeshRoles.Waypoint, (_, _, _) => { });
var app = builder.Build();
app.MapMeshCommands();
app.Logger.LogInformation("mesh-waypoint {Name} starting: remoting {Host}:{Port}", options.Name, options.Hostname, options.Port);
await app.RunAsync();
