// ZeroDowntimeService: web services on EKS behind AWS load balancers with derived, checked timings, so rollouts, scale-downs and node drains drop no request.
package zds
