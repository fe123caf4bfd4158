// SPDX-License-Identifier: GPL-2.0-only
/*
 * Introspection from outside the VM (Documentation/admin-guide.rst,
 * "Introspection"): a vCPU's registers and guest-physical memory, for a
 * privileged monitor. Each needs the introspect grant (or CAP_SYS_ADMIN:
 * khv_nl_pre_vm() checks) and each read, allowed or not, is audited.
 * Nothing is written.
 */
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/string.h>
#include <net/genetlink.h>

#include "audit.h"
#include "khv.h"
#include "netlink.h"

static int khv_nl_put_regs(struct sk_buff *skb, const struct khv_regs *regs,
			   const struct khv_sregs *sregs)
{
	const struct {
		int type;
		u64 val;
	} v[] = {
		{ KHV_A_REGS_RAX, regs->rax }, { KHV_A_REGS_RBX, regs->rbx },
		{ KHV_A_REGS_RCX, regs->rcx }, { KHV_A_REGS_RDX, regs->rdx },
		{ KHV_A_REGS_RSI, regs->rsi }, { KHV_A_REGS_RDI, regs->rdi },
		{ KHV_A_REGS_RSP, regs->rsp }, { KHV_A_REGS_RBP, regs->rbp },
		{ KHV_A_REGS_R8, regs->r8 }, { KHV_A_REGS_R9, regs->r9 },
		{ KHV_A_REGS_R10, regs->r10 }, { KHV_A_REGS_R11, regs->r11 },
		{ KHV_A_REGS_R12, regs->r12 }, { KHV_A_REGS_R13, regs->r13 },
		{ KHV_A_REGS_R14, regs->r14 }, { KHV_A_REGS_R15, regs->r15 },
		{ KHV_A_REGS_RIP, regs->rip },
		{ KHV_A_REGS_RFLAGS, regs->rflags },
		{ KHV_A_REGS_CR0, sregs->cr0 }, { KHV_A_REGS_CR2, sregs->cr2 },
		{ KHV_A_REGS_CR3, sregs->cr3 }, { KHV_A_REGS_CR4, sregs->cr4 },
		{ KHV_A_REGS_EFER, sregs->efer },
	};
	struct nlattr *nest;
	unsigned int i;

	nest = nla_nest_start(skb, KHV_A_INTROSPECT_REGS);
	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < ARRAY_SIZE(v); i++) {
		if (nla_put_u64_64bit(skb, v[i].type, v[i].val,
				      KHV_A_REGS_PAD)) {
			nla_nest_cancel(skb, nest);
			return -EMSGSIZE;
		}
	}
	nla_nest_end(skb, nest);
	return 0;
}

/*
 * A snapshot of a vCPU's registers. The vCPU's mutex guarantees that no
 * ioctl (KHV_RUN above all) changes them meanwhile; a vCPU inside KHV_RUN
 * holds it, so the caller must pause the VM first (the paused vCPU waits
 * without its mutex). vm->vcpu_lock keeps the vCPU from being freed.
 */
static int khv_nl_vcpu_snapshot(struct genl_info *info, struct khv_vm *vm,
				u32 id, struct khv_regs *regs,
				struct khv_sregs *sregs)
{
	struct nlattr *attr = info->attrs[KHV_A_INTROSPECT_VCPU_ID];
	struct khv_vcpu *vcpu;
	int r = 0;

	mutex_lock(&vm->vcpu_lock);
	vcpu = vm->gone || id >= KHV_MAX_VCPUS ? NULL : vm->vcpus[id];
	if (!vcpu) {
		NL_SET_ERR_MSG_ATTR(info->extack, attr, "the VM has no vCPU with this id");
		r = -ENOENT;
	} else if (!mutex_trylock(&vcpu->mutex)) {
		NL_SET_ERR_MSG_ATTR(info->extack, attr,
				    "the vCPU is in KHV_RUN or another ioctl: pause the VM first");
		r = -EBUSY;
	} else {
		khv_vcpu_get_regs(vcpu, regs);
		khv_arch->get_sregs(vcpu, sregs);
		mutex_unlock(&vcpu->mutex);
	}
	mutex_unlock(&vm->vcpu_lock);
	return r;
}

int khv_nl_introspect_regs_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct khv_vm *vm = khv_nl_vm(info);
	struct khv_sregs *sregs;
	struct khv_regs regs;
	struct sk_buff *msg;
	char what[24];
	void *hdr;
	u32 id;
	int r;

	if (GENL_REQ_ATTR_CHECK(info, KHV_A_INTROSPECT_VCPU_ID)) {
		NL_SET_ERR_MSG(info->extack, "vcpu-id attribute missing");
		return -EINVAL;
	}
	id = nla_get_u32(info->attrs[KHV_A_INTROSPECT_VCPU_ID]);
	snprintf(what, sizeof(what), "vcpu %u regs", id);
	sregs = kzalloc(sizeof(*sregs), GFP_KERNEL);
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!sregs || !msg) {
		r = -ENOMEM;
		goto out_free;
	}
	memset(&regs, 0, sizeof(regs));
	r = khv_nl_vcpu_snapshot(info, vm, id, &regs, sregs);
	if (r)
		goto out_free;
	hdr = genlmsg_put_reply(msg, info, &khv_nl_family, 0,
				KHV_CMD_INTROSPECT_REGS);
	if (!hdr ||
	    nla_put_u64_64bit(msg, KHV_A_INTROSPECT_VM_ID, vm->id,
			      KHV_A_INTROSPECT_PAD) ||
	    nla_put_u32(msg, KHV_A_INTROSPECT_VCPU_ID, id) ||
	    khv_nl_put_regs(msg, &regs, sregs)) {
		r = -EMSGSIZE;
		goto out_free;
	}
	genlmsg_end(msg, hdr);
	khv_audit_vm(KHV_AUDIT_OP_INTROSPECT_REGS, vm, "", what, 0);
	kfree(sregs);
	return genlmsg_reply(msg, info);

out_free:
	khv_audit_vm(KHV_AUDIT_OP_INTROSPECT_REGS, vm, "", what, r);
	nlmsg_free(msg);
	kfree(sregs);
	return r;
}

/* Copy guest RAM [gpa, gpa + len) to @buf: 0, or -EFAULT if not all RAM. */
static int khv_nl_read_guest(struct khv_vm *vm, u64 gpa, u8 *buf, u32 len)
{
	unsigned int chunk;
	struct page *page;
	void *p;
	int r = 0;

	mutex_lock(&vm->mem_lock);
	while (len && !r) {
		chunk = min_t(u64, len, PAGE_SIZE - offset_in_page(gpa));
		page = vm->gone ? NULL : khv_gpa_to_page(vm, gpa, false);
		if (!page) {
			r = -EFAULT;
			break;
		}
		p = kmap_local_page(page);
		memcpy(buf, p + offset_in_page(gpa), chunk);
		kunmap_local(p);
		buf += chunk;
		gpa += chunk;
		len -= chunk;
	}
	mutex_unlock(&vm->mem_lock);
	return r;
}

int khv_nl_introspect_mem_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct khv_vm *vm = khv_nl_vm(info);
	struct nlattr **tb = info->attrs;
	struct sk_buff *msg = NULL;
	struct nlattr *data;
	char what[48];
	void *hdr;
	u64 gpa;
	u32 len;
	int r;

	if (GENL_REQ_ATTR_CHECK(info, KHV_A_INTROSPECT_GPA) ||
	    GENL_REQ_ATTR_CHECK(info, KHV_A_INTROSPECT_LEN)) {
		NL_SET_ERR_MSG(info->extack, "gpa and len attributes needed");
		return -EINVAL;
	}
	gpa = nla_get_u64(tb[KHV_A_INTROSPECT_GPA]);
	len = nla_get_u32(tb[KHV_A_INTROSPECT_LEN]);
	snprintf(what, sizeof(what), "gpa 0x%llx len %u", gpa, len);
	/* The policy bounds len; this keeps a buggy policy from mattering. */
	if (len > KHV_INTROSPECT_MEM_MAX || gpa + len < gpa) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[KHV_A_INTROSPECT_LEN],
				    "len must be 1 to 32768 and the range may not wrap");
		r = -EINVAL;
		goto out_audit;
	}
	msg = genlmsg_new(len + 256, GFP_KERNEL);
	if (!msg) {
		r = -ENOMEM;
		goto out_audit;
	}
	hdr = genlmsg_put_reply(msg, info, &khv_nl_family, 0,
				KHV_CMD_INTROSPECT_MEM);
	if (!hdr ||
	    nla_put_u64_64bit(msg, KHV_A_INTROSPECT_VM_ID, vm->id,
			      KHV_A_INTROSPECT_PAD) ||
	    nla_put_u64_64bit(msg, KHV_A_INTROSPECT_GPA, gpa,
			      KHV_A_INTROSPECT_PAD) ||
	    nla_put_u32(msg, KHV_A_INTROSPECT_LEN, len)) {
		r = -EMSGSIZE;
		goto out_audit;
	}
	data = nla_reserve(msg, KHV_A_INTROSPECT_DATA, len);
	if (!data) {
		r = -EMSGSIZE;
		goto out_audit;
	}
	r = khv_nl_read_guest(vm, gpa, nla_data(data), len);
	if (r) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[KHV_A_INTROSPECT_GPA],
				    "the range is not all guest RAM");
		goto out_audit;
	}
	genlmsg_end(msg, hdr);
	khv_audit_vm(KHV_AUDIT_OP_INTROSPECT_MEM, vm, "", what, 0);
	return genlmsg_reply(msg, info);

out_audit:
	khv_audit_vm(KHV_AUDIT_OP_INTROSPECT_MEM, vm, "", what, r);
	nlmsg_free(msg);
	return r;
}
