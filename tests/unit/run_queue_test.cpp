// The run queue: a FIFO linked through the vCPUs, checked against a
// std::deque model as well as case by case.
#include "core/run_queue.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <random>
#include <vector>

using core::RunQueue;
using core::Vcpu;

namespace {

std::vector<Vcpu*> drain(RunQueue& q) {
    std::vector<Vcpu*> out;
    while (Vcpu* v = q.pop()) out.push_back(v);
    return out;
}

}  // namespace

TEST(RunQueue, Empty) {
    RunQueue q;
    EXPECT_TRUE(q.empty());
    EXPECT_EQ(0u, q.size());
    EXPECT_EQ(nullptr, q.pop());
    EXPECT_EQ(nullptr, q.pop());
}

TEST(RunQueue, FirstInFirstOut) {
    Vcpu a, b, c;
    RunQueue q;
    q.push(&a);
    q.push(&b);
    q.push(&c);
    EXPECT_EQ(3u, q.size());
    EXPECT_FALSE(q.empty());
    EXPECT_TRUE(a.queued && b.queued && c.queued);
    EXPECT_EQ((std::vector<Vcpu*>{&a, &b, &c}), drain(q));
    EXPECT_TRUE(q.empty());
    EXPECT_FALSE(a.queued || b.queued || c.queued);
    EXPECT_EQ(nullptr, a.next_runnable);
    EXPECT_EQ(nullptr, c.next_runnable);
}

TEST(RunQueue, PushingAQueuedVcpuIsANoOp) {
    Vcpu a, b;
    RunQueue q;
    q.push(&a);
    q.push(&b);
    q.push(&a);
    EXPECT_EQ(2u, q.size());
    EXPECT_EQ((std::vector<Vcpu*>{&a, &b}), drain(q));
}

TEST(RunQueue, RequeueAfterPop) {
    Vcpu a, b;
    RunQueue q;
    q.push(&a);
    q.push(&b);
    EXPECT_EQ(&a, q.pop());
    q.push(&a);  // round robin
    EXPECT_EQ((std::vector<Vcpu*>{&b, &a}), drain(q));
}

TEST(RunQueue, Remove) {
    struct Case {
        const char* what;
        int victim;
        std::vector<int> left;
    };
    for (const Case& c : {Case{"head", 0, {1, 2}}, Case{"middle", 1, {0, 2}}, Case{"tail", 2, {0, 1}}}) {
        Vcpu v[3];
        RunQueue q;
        for (Vcpu& x : v) q.push(&x);
        q.remove(&v[c.victim]);
        EXPECT_EQ(2u, q.size()) << c.what;
        EXPECT_FALSE(v[c.victim].queued) << c.what;
        EXPECT_EQ(nullptr, v[c.victim].next_runnable) << c.what;
        // The tail must still be right: a push lands at the end.
        Vcpu extra;
        q.push(&extra);
        std::vector<Vcpu*> want;
        for (int i : c.left) want.push_back(&v[i]);
        want.push_back(&extra);
        EXPECT_EQ(want, drain(q)) << c.what;
    }
}

TEST(RunQueue, RemoveTheOnlyOne) {
    Vcpu a, b;
    RunQueue q;
    q.push(&a);
    q.remove(&a);
    EXPECT_TRUE(q.empty());
    EXPECT_EQ(0u, q.size());
    EXPECT_EQ(nullptr, q.pop());
    q.push(&b);
    EXPECT_EQ((std::vector<Vcpu*>{&b}), drain(q));
}

TEST(RunQueue, RemovingAVcpuNotQueuedIsANoOp) {
    Vcpu a, b;
    RunQueue q;
    q.push(&a);
    q.remove(&b);
    q.remove(&b);
    EXPECT_EQ(1u, q.size());
    EXPECT_EQ((std::vector<Vcpu*>{&a}), drain(q));
    q.remove(&a);  // already popped
    EXPECT_EQ(0u, q.size());
}

TEST(RunQueue, MatchesAModel) {
    std::mt19937 rng(7);
    Vcpu v[6];
    RunQueue q;
    std::deque<Vcpu*> model;
    for (int step = 0; step < 20000; ++step) {
        Vcpu* x = &v[rng() % 6];
        switch (rng() % 3) {
        case 0:
            q.push(x);
            if (std::find(model.begin(), model.end(), x) == model.end()) model.push_back(x);
            break;
        case 1: {
            Vcpu* got = q.pop();
            Vcpu* want = model.empty() ? nullptr : model.front();
            if (!model.empty()) model.pop_front();
            ASSERT_EQ(want, got) << "step " << step;
            break;
        }
        case 2:
            q.remove(x);
            model.erase(std::remove(model.begin(), model.end(), x), model.end());
            break;
        }
        ASSERT_EQ(model.size(), q.size()) << "step " << step;
        ASSERT_EQ(model.empty(), q.empty()) << "step " << step;
        for (Vcpu& y : v)
            ASSERT_EQ(std::find(model.begin(), model.end(), &y) != model.end(), y.queued) << "step " << step;
    }
}
