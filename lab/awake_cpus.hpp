#pragma once
// Idle CPUs kept awake while the lab measures, so that a wake-up costs what the model's wait
// costs and not a CPU's way back from a deep sleep.
//
// An idle CPU halts, and the deeper it sleeps the longer it takes to wake: on this lab's virtual
// machines a 20 ms sleep came back 90-103 µs late (median), against 39-43 µs with the CPUs kept
// awake. Every wait a lesson times ends in such a wake-up (the server's timer, the harness's read
// of the answer), and a row of ten sleeps pays it ten times. Linux lets a process ask for an
// upper bound on that exit latency by writing it to /dev/cpu_dma_latency (its PM QoS interface);
// 0 keeps idle CPUs polling. The request holds while the file stays open and Linux drops it when
// the file is closed, however the process ends (a SIGKILL too), so nothing is left behind.
// cyclictest, the real-time latency tool, does the same by default. Only root may open the file:
// elsewhere the lab measures with whatever the machine does, and the run's summary.json says which.
// The request holds for the whole machine: while a run lasts, idle CPUs spin rather than rest (on
// a virtual machine, the host's CPUs too), which costs power; --let-cpus-sleep declines it.

namespace lab {

class AwakeCpus {
public:
    explicit AwakeCpus(bool wanted = true);  // wanted=false (--let-cpus-sleep): ask nothing
    ~AwakeCpus();
    AwakeCpus(const AwakeCpus&) = delete;
    AwakeCpus& operator=(const AwakeCpus&) = delete;

    bool held() const { return fd_ >= 0; }

private:
    int fd_ = -1;
};

}  // namespace lab
