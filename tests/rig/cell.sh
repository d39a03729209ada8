# SPDX-License-Identifier: GPL-2.0
#
# The rig's configurations ("cells"), named KVM-GIC-IOMMU:
#
#   KVM    vhe    -cpu max: an ARMv8.1+ CPU, KVM in VHE mode
#          nvhe   -cpu cortex-a57: R-Car Gen3's big core, ARMv8.0, no VHE,
#                 so KVM runs in nVHE ("Hyp") mode
#   GIC    gicv3 | gicv2 (R-Car Gen3's GIC-400 is a GICv2)
#   IOMMU  noiommu  no IOMMU in front of the platform devices: VFIO's
#                   no-IOMMU mode
#          smmu     QEMU's SMMUv3 in front of them (dtb.sh gives each its
#                   own stream ID): VFIO's type1 path, as with the R-Car
#                   IPMMU
#
# nvhe-gicv2-smmu is what a Salvator-X runs. Sourced by the harnesses;
# safe under set -e.

RIG_CELLS="vhe-gicv3-noiommu vhe-gicv2-noiommu vhe-gicv3-smmu vhe-gicv2-smmu
	nvhe-gicv3-noiommu nvhe-gicv2-noiommu nvhe-gicv3-smmu nvhe-gicv2-smmu"
RIG_DEFAULT_CELL=nvhe-gicv2-smmu

# cell_parse NAME: sets cell_kvm, cell_gic (2 or 3), cell_iommu; one line
# and status 1 for a name that is not a cell.
cell_parse() {
	case " $(echo $RIG_CELLS) " in
	*" $1 "*) ;;
	*) echo "error: rig: no configuration '$1'; use one of: $(echo $RIG_CELLS)" >&2
	   return 1 ;;
	esac
	cell_kvm=${1%%-*}
	cell_gic=${1#*-gicv}
	cell_gic=${cell_gic%%-*}
	cell_iommu=${1##*-}
}

# cell_machine: QEMU's -M and -cpu for the parsed cell, one per line.
cell_machine() {
	_m="virt,virtualization=on,gic-version=$cell_gic,acpi=off"
	[ "$cell_iommu" = smmu ] && _m="$_m,iommu=smmuv3"
	echo "$_m"
	if [ "$cell_kvm" = nvhe ]; then
		echo cortex-a57
	else
		echo max,pauth-impdef=on,sve=off
	fi
}

# cell_describe: the cell in words, for the harnesses' headings.
cell_describe() {
	printf '%s KVM, GICv%s, %s' "$([ "$cell_kvm" = nvhe ] && echo "nVHE (Cortex-A57)" || echo VHE)" "$cell_gic" \
		"$([ "$cell_iommu" = smmu ] && echo "SMMUv3 (VFIO type1)" || echo "no IOMMU (VFIO no-IOMMU)")"
}
